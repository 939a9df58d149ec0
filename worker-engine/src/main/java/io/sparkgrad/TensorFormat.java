package io.sparkgrad;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * How tensors print. Two texts matter to users porting MindSpore code:
 * <ul>
 *   <li>the repr ({@link Tensor#toString()}), {@code Tensor(shape=[4], dtype=Float32, value= [...])},
 *       whose elements MindSpore prints in scientific notation with 8 digits;</li>
 *   <li>{@code print(tensor)} ({@link Tensor#str()}), NumPy's {@code str}: the shortest text that
 *       reads back to the same float, at most 8 decimals, columns padded, e.g. {@code [5.]} or
 *       {@code [[2.211 0.51  1.49 ]}.</li>
 * </ul>
 * MindSpore's repr changed between releases; the builder reproduces the older ones too (a space
 * for the sign or not, two or three exponent digits), which is how the seed notebooks differ.
 */
public final class TensorFormat {
    /** MindSpore 2.x: {@code [ 0.00000000e+00,  1.00000000e+00]}, scalars as {@code 28}. */
    public static final TensorFormat MINDSPORE = builder().build();

    /** Elements per line in the repr of a vector, as MindSpore prints them. */
    private static final int VECTOR_LINE = 12;

    private final boolean signSpace;
    private final int exponentDigits;
    private final String separator;
    private final int digits;

    private TensorFormat(Builder b) {
        this.signSpace = b.signSpace;
        this.exponentDigits = b.exponentDigits;
        this.separator = b.separator;
        this.digits = b.digits;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Options for the repr's element text. */
    public static final class Builder {
        private boolean signSpace = true;
        private int exponentDigits = 2;
        private String separator = ", ";
        private int digits = 8;

        /** Print a space where a positive number's sign would be (default true). */
        public Builder signSpace(boolean v) {
            signSpace = v;
            return this;
        }

        /** Minimum exponent digits: 2 ({@code e+01}, default) or 3 ({@code e+001}). */
        public Builder exponentDigits(int v) {
            if (v < 1 || v > 3) {
                throw new IllegalArgumentException("exponentDigits must be 1..3, got " + v);
            }
            exponentDigits = v;
            return this;
        }

        /** The text between elements (default {@code ", "}). */
        public Builder separator(String v) {
            separator = Objects.requireNonNull(v);
            return this;
        }

        /** Digits after the point (default 8). */
        public Builder digits(int v) {
            digits = v;
            return this;
        }

        public TensorFormat build() {
            return new TensorFormat(this);
        }
    }

    /**
     * Python's repr of a value in this format: a tensor's repr, or a tuple as {@code (a, b)} and
     * {@code (a,)} for one element, each element in this format.
     */
    public String repr(Value v) {
        if (!v.isTuple()) {
            return repr(v.tensor());
        }
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < v.arity(); i++) {
            sb.append(i > 0 ? ", " : "").append(repr(v.get(i)));
        }
        return sb.append(v.arity() == 1 ? ",)" : ")").toString();
    }

    /** NumPy's {@code threshold}: above this many elements a tensor prints summarised. */
    static final int SUMMARY_THRESHOLD = 1000;
    /** NumPy's {@code edgeitems}: a summarised axis shows this many at each end, then "...". */
    static final int EDGE_ITEMS = 3;

    /** The elements shown, in row-major order of {@code shape}; {@code cut[d]}: axis d is summarised. */
    private record View(int[] shape, boolean[] cut, double[] values) {
    }

    /** All elements, or NumPy's summary above {@link #SUMMARY_THRESHOLD} elements. */
    private static View view(Tensor t) {
        int[] s = t.shape();
        int r = s.length;
        boolean summarize = t.size() > SUMMARY_THRESHOLD;
        int[][] keep = new int[r][];
        boolean[] cut = new boolean[r];
        int[] rs = new int[r];
        int n = 1;
        for (int d = 0; d < r; d++) {
            cut[d] = summarize && s[d] > 2 * EDGE_ITEMS;
            int len = cut[d] ? 2 * EDGE_ITEMS : s[d];
            keep[d] = new int[len];
            for (int i = 0; i < len; i++) {
                keep[d][i] = cut[d] && i >= EDGE_ITEMS ? s[d] - 2 * EDGE_ITEMS + i : i;
            }
            rs[d] = len;
            n *= len;
        }
        int[] st = io.sparkgrad.shape.Shapes.strides(s);
        double[] vals = new double[n];
        int[] idx = new int[r];
        for (int k = 0; k < n; k++) {
            int off = 0;
            for (int d = 0; d < r; d++) {
                off += keep[d][idx[d]] * st[d];
            }
            vals[k] = t.getFlat(off);
            for (int d = r - 1; d >= 0 && ++idx[d] == rs[d]; d--) {
                idx[d] = 0;
            }
        }
        return new View(rs, cut, vals);
    }

    /** {@code Tensor(shape=[...], dtype=..., value= ...)}. */
    public String repr(Tensor t) {
        StringBuilder sb = new StringBuilder("Tensor(shape=[");
        int[] s = t.shape();
        for (int i = 0; i < s.length; i++) {
            sb.append(i > 0 ? ", " : "").append(s[i]);
        }
        sb.append("], dtype=").append(t.dtype().msName()).append(", value=");
        if (t.rank() == 0) {
            sb.append(' ').append(scalarText(t));
        } else {
            View v = view(t);
            List<String> items = new ArrayList<>();
            for (double x : v.values()) {
                items.add(t.dtype() == DType.BOOL ? boolText(x) : sci(x));
            }
            if (t.rank() == 1) { // MindSpore starts a new line after every 12 elements of a vector
                if (v.cut()[0]) {
                    items.add(EDGE_ITEMS, "...");
                }
                sb.append(" [");
                for (int i = 0; i < items.size(); i++) {
                    sb.append(items.get(i));
                    if (i + 1 < items.size()) {
                        sb.append(separator);
                    }
                    if ((i + 1) % VECTOR_LINE == 0) {
                        sb.append("\n ");
                    }
                }
                sb.append(']');
            } else { // MindSpore puts a matrix on its own lines, one line per row, no blank lines
                sb.append('\n');
                nest(sb, v.shape(), v.cut(), 0, 0, items, separator, 1, false);
            }
        }
        return sb.append(')').toString();
    }

    private static String scalarText(Tensor t) {
        double v = t.getFlat(0);
        if (t.dtype() == DType.BOOL) {
            return v != 0 ? "True" : "False";
        }
        return cppDefault(v);
    }

    /**
     * A scalar as MindSpore's C++ repr writes it, {@code ostream << value} with the stream's
     * defaults: C's {@code %g} with 6 significant digits, trailing zeros removed ({@code 28},
     * {@code 0.333333}, {@code 1.23457e+06}, {@code 1e-05}).
     */
    static String cppDefault(double v) {
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        if (v == 0) {
            return 1 / v < 0 ? "-0" : "0";
        }
        BigDecimal bd = new BigDecimal(v).round(new MathContext(6, RoundingMode.HALF_EVEN));
        int exp = bd.precision() - bd.scale() - 1;
        if (exp < -4 || exp >= 6) {
            String mantissa = bd.movePointLeft(exp).stripTrailingZeros().toPlainString();
            String e = Integer.toString(Math.abs(exp));
            return mantissa + "e" + (exp < 0 ? "-" : "+") + (e.length() < 2 ? "0" + e : e);
        }
        return bd.stripTrailingZeros().toPlainString();
    }

    private static String boolText(double v) {
        return v != 0 ? " True" : "False";
    }

    private String sci(double v) {
        if (Double.isNaN(v)) {
            return signSpace ? " nan" : "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? (signSpace ? " inf" : "inf") : "-inf";
        }
        String s;
        if (v == 0) {
            s = "0." + "0".repeat(digits) + "e+" + "0".repeat(Math.max(2, exponentDigits));
            if (1 / v < 0) {
                s = "-" + s;
            }
        } else {
            BigDecimal bd = new BigDecimal(v).round(new MathContext(digits + 1, RoundingMode.HALF_EVEN));
            String u = bd.unscaledValue().abs().toString();
            int exp = u.length() - 1 - bd.scale();
            u = (u + "0".repeat(digits + 1)).substring(0, digits + 1);
            String e = Integer.toString(Math.abs(exp));
            while (e.length() < Math.max(2, exponentDigits)) {
                e = "0" + e;
            }
            s = (v < 0 ? "-" : "") + u.charAt(0) + "." + u.substring(1) + "e" + (exp < 0 ? "-" : "+") + e;
        }
        return s.startsWith("-") || !signSpace ? s : " " + s;
    }

    /**
     * Lays out items as nested brackets: NumPy's layout (rows wrapped at 75 columns, blank lines
     * between blocks) when {@code numpy}, else MindSpore's repr layout (one line per row).
     */
    private static void nest(StringBuilder sb, int[] shape, boolean[] cut, int dim, int offset, List<String> items,
                             String sep, int indent, boolean numpy) {
        if (numpy && dim == shape.length - 1) {
            sb.append(numpyRow(items, offset, shape[dim], shape.length, cut[dim]));
            return;
        }
        sb.append('[');
        int n = shape[dim];
        int stride = 1;
        for (int i = dim + 1; i < shape.length; i++) {
            stride *= shape[i];
        }
        String rowBreak = sep.stripTrailing() + "\n".repeat(numpy ? shape.length - 1 - dim : 1) + " ".repeat(indent + dim);
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append(dim == shape.length - 1 ? sep : rowBreak);
            }
            if (cut[dim] && i == EDGE_ITEMS) { // the summarised middle of this axis
                sb.append("...").append(dim == shape.length - 1 ? sep : rowBreak);
            }
            if (dim == shape.length - 1) {
                sb.append(items.get(offset + i));
            } else {
                nest(sb, shape, cut, dim + 1, offset + i * stride, items, sep, indent, numpy);
            }
        }
        sb.append(']');
    }

    /** NumPy's default line width. */
    private static final int NUMPY_LINE_WIDTH = 75;

    /**
     * One row (the last axis) as NumPy's {@code _formatArray} lays it out: elements separated by
     * a space, wrapped before an element that would pass the line width (75, less one per
     * enclosing bracket and one for the closing one), continuation lines indented under the
     * first element.
     */
    private static String numpyRow(List<String> all, int offset, int n, int rank, boolean cut) {
        List<String> items = new ArrayList<>(all.subList(offset, offset + n));
        if (cut) {
            items.add(EDGE_ITEMS, "...");
        }
        String hang = " ".repeat(rank);
        int width = NUMPY_LINE_WIDTH - rank;
        StringBuilder out = new StringBuilder();
        StringBuilder line = new StringBuilder(hang);
        n = items.size();
        for (int i = 0; i < n; i++) {
            String word = items.get(i);
            if (line.length() + word.length() > width && line.length() > hang.length()) {
                out.append(line.toString().stripTrailing()).append('\n');
                line = new StringBuilder(hang);
            }
            line.append(word);
            if (i + 1 < n) {
                line.append(' ');
            }
        }
        out.append(line);
        return "[" + out.substring(rank) + "]";
    }

    // ---- NumPy str --------------------------------------------------------------------------

    /**
     * NumPy's {@code str(array)} with its defaults ({@code precision=8, floatmode='maxprec'}):
     * each value as the shortest decimal that reads back to the same float32/float64, rounded to
     * at most 8 decimals, integers as {@code 5.}, columns padded on both sides of the point.
     * Scientific notation is used, as NumPy does, when the largest magnitude is at least 1e8 or
     * the smallest non-zero is below 1e-4 or they differ by more than 1e3.
     */
    static String numpyStr(Tensor t) {
        View view = view(t);
        double[] vs = view.values();
        int n = vs.length;
        if (t.dtype() == DType.BOOL) {
            List<String> items = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                items.add(t.rank() == 0 ? (vs[i] != 0 ? "True" : "False") : boolText(vs[i]));
            }
            return layout(view, items);
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
        List<String> items = new ArrayList<>();
        if (t.rank() == 0) {
            double v = vs[0];
            String s = shortest(v, t.dtype());
            items.add(Double.isFinite(v) && !s.contains(".") && !s.contains("e") ? s + ".0" : s);
            return items.get(0);
        }
        if (exp) {
            int prec = 0;
            List<BigDecimal> vals = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                double v = vs[i];
                BigDecimal bd = Double.isFinite(v) && v != 0 ? shortestDecimal(v, t.dtype()) : BigDecimal.ZERO;
                vals.add(bd);
                if (bd.signum() != 0) {
                    prec = Math.max(prec, Math.min(8, bd.precision() - 1));
                }
            }
            for (int i = 0; i < n; i++) {
                double v = vs[i];
                String e = Double.isFinite(v) ? String.format(Locale.ROOT, "%." + prec + "e", vals.get(i)) : special(v);
                if (prec == 0 && Double.isFinite(v)) {
                    e = e.replace("e", ".e"); // NumPy keeps the point: 1.e-05
                }
                items.add(e);
            }
            pad(items);
            return layout(view, items);
        }
        int left = 0;
        int right = 0;
        int special = 0;
        List<String[]> parts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double v = vs[i];
            String s;
            if (!Double.isFinite(v)) {
                s = special(v);
                parts.add(new String[] {s, null});
                special = Math.max(special, s.length());
                continue;
            }
            BigDecimal bd = shortestDecimal(v, t.dtype());
            if (bd.scale() > 8) {
                bd = new BigDecimal(v).setScale(8, RoundingMode.HALF_EVEN).stripTrailingZeros();
            }
            s = bd.scale() <= 0 ? bd.setScale(0).toPlainString() + "." : bd.toPlainString();
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
        for (String[] p : parts) {
            if (p[1] == null) {
                items.add(" ".repeat(Math.max(0, left + 1 + right - p[0].length())) + p[0]);
            } else {
                items.add(" ".repeat(left - p[0].length()) + p[0] + "." + p[1] + " ".repeat(right - p[1].length()));
            }
        }
        return layout(view, items);
    }

    private static String special(double v) {
        return Double.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
    }

    private static void pad(List<String> items) {
        int w = 0;
        for (String s : items) {
            w = Math.max(w, s.length());
        }
        for (int i = 0; i < items.size(); i++) {
            String s = items.get(i);
            items.set(i, " ".repeat(w - s.length()) + s);
        }
    }

    private static String layout(View v, List<String> items) {
        if (v.shape().length == 0) {
            return items.get(0);
        }
        StringBuilder sb = new StringBuilder();
        nest(sb, v.shape(), v.cut(), 0, 0, items, " ", 1, true);
        return sb.toString();
    }

    /** The shortest decimal that reads back to {@code v} in the tensor's precision. */
    static BigDecimal shortestDecimal(double v, DType dtype) {
        BigDecimal exact = new BigDecimal(v);
        for (int p = 1; p <= 17; p++) {
            BigDecimal c = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
            boolean back = dtype == DType.FLOAT64 ? c.doubleValue() == v : c.floatValue() == (float) v;
            if (back) {
                return c.stripTrailingZeros();
            }
        }
        return exact;
    }

    static String shortest(double v, DType dtype) {
        if (!Double.isFinite(v)) {
            return special(v);
        }
        BigDecimal bd = shortestDecimal(v, dtype);
        return Math.abs(v) >= 1e16 || (v != 0 && Math.abs(v) < 1e-4) ? bd.toString() : bd.toPlainString();
    }
}
