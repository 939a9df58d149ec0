package io.sparkgrad.format;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * NumPy's {@code str(array)}, which is what MindSpore's {@code print(tensor)} shows
 * ({@code Tensor.str()}), with NumPy's defaults ({@code precision=8, floatmode='maxprec'}): each
 * value as the shortest decimal that reads back to the same float32/float64, rounded to at most
 * 8 decimals, integers as {@code 5.}, columns padded on both sides of the point, e.g. {@code [5.]}
 * or {@code [[2.211 0.51  1.49 ]}. Scientific notation is used, as NumPy does, when the largest
 * magnitude is at least 1e8 or the smallest non-zero is below 1e-4 or they differ by more than 1e3.
 */
public final class NumpyStr {
    private NumpyStr() {
    }

    public static String str(TensorView t) {
        Layout.Shown view = Layout.shown(t);
        double[] vs = view.values();
        int n = vs.length;
        boolean scalar = view.shape().length == 0;
        boolean f64 = t.dtype().isFloat64();
        if (!t.dtype().isFloating()) {
            if (scalar) {
                return vs[0] != 0 ? "True" : "False";
            }
            List<String> items = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                items.add(Layout.boolText(vs[i]));
            }
            return layout(view, items);
        }
        if (scalar) {
            double v = vs[0];
            String s = shortest(v, f64);
            return Double.isFinite(v) && !s.contains(".") && !s.contains("e") ? s + ".0" : s;
        }
        double maxAbs = 0;
        double minAbs = Double.POSITIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            double a = Math.abs(vs[i]);
            if (Double.isFinite(a) && a != 0) {
                maxAbs = Math.max(maxAbs, a);
                minAbs = Math.min(minAbs, a);
            }
        }
        boolean exp = maxAbs >= 1e8 || (minAbs != Double.POSITIVE_INFINITY && (minAbs < 1e-4 || maxAbs / minAbs > 1e3));
        return layout(view, exp ? scientific(vs, f64) : positional(vs, f64));
    }

    private static List<String> scientific(double[] vs, boolean f64) {
        int n = vs.length;
        int prec = 0;
        List<BigDecimal> vals = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double v = vs[i];
            BigDecimal bd = Double.isFinite(v) && v != 0 ? shortestDecimal(v, f64) : BigDecimal.ZERO;
            vals.add(bd);
            if (bd.signum() != 0) {
                prec = Math.max(prec, Math.min(8, bd.precision() - 1));
            }
        }
        List<String> items = new ArrayList<>();
        int w = 0;
        for (int i = 0; i < n; i++) {
            double v = vs[i];
            String e = Double.isFinite(v) ? String.format(Locale.ROOT, "%." + prec + "e", vals.get(i)) : special(v);
            if (prec == 0 && Double.isFinite(v)) {
                e = e.replace("e", ".e"); // NumPy keeps the point: 1.e-05
            }
            items.add(e);
            w = Math.max(w, e.length());
        }
        for (int i = 0; i < n; i++) { // right-aligned in one column width
            String s = items.get(i);
            items.set(i, " ".repeat(w - s.length()) + s);
        }
        return items;
    }

    private static List<String> positional(double[] vs, boolean f64) {
        int left = 0;
        int right = 0;
        int special = 0;
        List<String[]> parts = new ArrayList<>();
        for (double v : vs) {
            if (!Double.isFinite(v)) {
                String s = special(v);
                parts.add(new String[] {s, null});
                special = Math.max(special, s.length());
                continue;
            }
            BigDecimal bd = shortestDecimal(v, f64);
            if (bd.scale() > 8) {
                bd = new BigDecimal(v).setScale(8, RoundingMode.HALF_EVEN).stripTrailingZeros();
            }
            String s = bd.scale() <= 0 ? bd.setScale(0).toPlainString() + "." : bd.toPlainString();
            if (v == 0 && 1 / v < 0) {
                s = "-0.";
            }
            int dot = s.indexOf('.');
            String ip = s.substring(0, dot);
            String fp = s.substring(dot + 1);
            parts.add(new String[] {ip, fp});
            left = Math.max(left, ip.length());
            right = Math.max(right, fp.length());
        }
        left = Math.max(left, special - right - 1); // as NumPy: nan/inf fill the whole column width
        List<String> items = new ArrayList<>();
        for (String[] p : parts) {
            if (p[1] == null) {
                items.add(" ".repeat(Math.max(0, left + 1 + right - p[0].length())) + p[0]);
            } else {
                items.add(" ".repeat(left - p[0].length()) + p[0] + "." + p[1] + " ".repeat(right - p[1].length()));
            }
        }
        return items;
    }

    private static String special(double v) {
        return Double.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
    }

    private static String layout(Layout.Shown v, List<String> items) {
        StringBuilder sb = new StringBuilder();
        Layout.nest(sb, v.shape(), v.cut(), 0, 0, items, " ", 1, true);
        return sb.toString();
    }

    /** The shortest decimal that reads back to {@code v} in float64 ({@code f64}) or float32. */
    static BigDecimal shortestDecimal(double v, boolean f64) {
        BigDecimal exact = new BigDecimal(v);
        for (int p = 1; p <= 17; p++) {
            BigDecimal c = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
            boolean back = f64 ? c.doubleValue() == v : c.floatValue() == (float) v;
            if (back) {
                return c.stripTrailingZeros();
            }
        }
        return exact;
    }

    /** A scalar's text: the shortest decimal, in exponent form when very large or small. */
    static String shortest(double v, boolean f64) {
        if (!Double.isFinite(v)) {
            return special(v);
        }
        BigDecimal bd = shortestDecimal(v, f64);
        return Math.abs(v) >= 1e16 || (v != 0 && Math.abs(v) < 1e-4) ? bd.toString() : bd.toPlainString();
    }
}
