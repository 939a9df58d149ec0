package io.sparkgrad.format;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * MindSpore's repr of a tensor ({@code Tensor.toString()}):
 * {@code Tensor(shape=[4], dtype=Float32, value= [...])}, whose elements MindSpore prints in
 * scientific notation with 8 digits, and of a tuple of tensors. MindSpore's repr changed between
 * releases; the builder reproduces the older ones too (a space for the sign or not, two or three
 * exponent digits), which is how the seed notebooks differ. Immutable.
 */
public final class MindSporeRepr {
    /** MindSpore 2.x: {@code [ 0.00000000e+00,  1.00000000e+00]}, scalars as {@code 28}. */
    public static final MindSporeRepr MINDSPORE = builder().build();

    /** Elements per line in the repr of a vector, as MindSpore prints them. */
    private static final int VECTOR_LINE = 12;
    /** Digits after the point of an element. */
    private static final int DIGITS = 8;
    private static final String SEPARATOR = ", ";

    private final boolean signSpace;
    private final int exponentDigits;

    private MindSporeRepr(Builder b) {
        this.signSpace = b.signSpace;
        this.exponentDigits = b.exponentDigits;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Options for the repr's element text. */
    public static final class Builder {
        private boolean signSpace = true;
        private int exponentDigits = 2;

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

        public MindSporeRepr build() {
            return new MindSporeRepr(this);
        }
    }

    /**
     * Python's repr of a tuple, {@code (a, b)} and {@code (a,)} for one element, each element in
     * this format; an element is a {@link TensorView} or a nested tuple (an {@link Iterable}).
     */
    public String repr(Iterable<?> tuple) {
        StringBuilder sb = new StringBuilder("(");
        int n = 0;
        for (Object v : tuple) {
            sb.append(n++ > 0 ? ", " : "");
            if (v instanceof TensorView) {
                sb.append(repr((TensorView) v));
            } else if (v instanceof Iterable) {
                sb.append(repr((Iterable<?>) v));
            } else {
                throw new IllegalArgumentException("repr: a tuple element must be a tensor or a tuple, got " + v);
            }
        }
        return sb.append(n == 1 ? ",)" : ")").toString();
    }

    /** {@code Tensor(shape=[...], dtype=..., value= ...)}. */
    public String repr(TensorView t) {
        StringBuilder sb = new StringBuilder("Tensor(shape=[");
        int[] s = t.shape();
        for (int i = 0; i < s.length; i++) {
            sb.append(i > 0 ? ", " : "").append(s[i]);
        }
        boolean bool = !t.dtype().isFloating();
        sb.append("], dtype=").append(t.dtype().msName()).append(", value=");
        if (s.length == 0) {
            double v = t.getFlat(0);
            sb.append(' ').append(bool ? (v != 0 ? "True" : "False") : cppDefault(v));
        } else {
            Layout.Shown v = Layout.shown(t);
            List<String> items = new ArrayList<>();
            for (double x : v.values()) {
                items.add(bool ? Layout.boolText(x) : sci(x));
            }
            if (s.length == 1) { // MindSpore starts a new line after every 12 elements of a vector
                if (v.cut()[0]) {
                    items.add(Layout.EDGE_ITEMS, "...");
                }
                sb.append(" [");
                for (int i = 0; i < items.size(); i++) {
                    sb.append(items.get(i));
                    if (i + 1 < items.size()) {
                        sb.append(SEPARATOR);
                    }
                    if ((i + 1) % VECTOR_LINE == 0) {
                        sb.append("\n ");
                    }
                }
                sb.append(']');
            } else { // MindSpore puts a matrix on its own lines, one line per row, no blank lines
                sb.append('\n');
                Layout.nest(sb, v.shape(), v.cut(), 0, 0, items, SEPARATOR, 1, false);
            }
        }
        return sb.append(')').toString();
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

    private String sci(double v) {
        if (Double.isNaN(v)) {
            return signSpace ? " nan" : "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? (signSpace ? " inf" : "inf") : "-inf";
        }
        String s;
        if (v == 0) {
            s = "0." + "0".repeat(DIGITS) + "e+" + "0".repeat(Math.max(2, exponentDigits));
            if (1 / v < 0) {
                s = "-" + s;
            }
        } else {
            BigDecimal bd = new BigDecimal(v).round(new MathContext(DIGITS + 1, RoundingMode.HALF_EVEN));
            String u = bd.unscaledValue().abs().toString();
            int exp = u.length() - 1 - bd.scale();
            u = (u + "0".repeat(DIGITS + 1)).substring(0, DIGITS + 1);
            String e = Integer.toString(Math.abs(exp));
            while (e.length() < Math.max(2, exponentDigits)) {
                e = "0" + e;
            }
            s = (v < 0 ? "-" : "") + u.charAt(0) + "." + u.substring(1) + "e" + (exp < 0 ? "-" : "+") + e;
        }
        return s.startsWith("-") || !signSpace ? s : " " + s;
    }
}
