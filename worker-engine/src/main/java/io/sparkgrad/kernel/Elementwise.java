package io.sparkgrad.kernel;

import io.sparkgrad.DType;
import io.sparkgrad.Tensor;
import io.sparkgrad.shape.NdIndex;
import io.sparkgrad.shape.Shapes;
import java.util.Locale;

/**
 * Elementwise kernels with NumPy broadcasting: unary maps, binary maps and comparisons,
 * {@code where} and {@code cast}. Input checks happen before any loop and name the op and the
 * shapes.
 *
 * <p>FLOAT32 results are computed in double and rounded once, which for +, -, *, / and sqrt is
 * exactly IEEE single-precision arithmetic. The FLOAT32 binary ops have three loops each, by
 * access pattern, since the JIT vectorises a loop only when its indexing is simple:
 * same shape (one shared index), array-and-scalar, and the general broadcast (rows from
 * {@link NdIndex}, each a plain strided loop). Comparisons are selects, not calls: their
 * outcomes are unpredictable, so a branch per element would mispredict.
 */
public final class Elementwise {
    private Elementwise() {
    }

    /** Unary elementwise functions. */
    public enum Unary {
        NEG { public double apply(double x) { return -x; } },
        EXP { public double apply(double x) { return Math.exp(x); } },
        LOG { public double apply(double x) { return Math.log(x); } },
        SQRT { public double apply(double x) { return Math.sqrt(x); } },
        ABS { public double apply(double x) { return Math.abs(x); } },
        TANH { public double apply(double x) { return Math.tanh(x); } },
        SIGN { public double apply(double x) { return Math.signum(x); } };

        private final String opName = name().toLowerCase(Locale.ROOT); // once, not per call

        public abstract double apply(double x);

        public String opName() {
            return opName;
        }
    }

    /** Binary elementwise functions; the comparisons return BOOL. */
    public enum Binary {
        ADD(false) { public double apply(double a, double b) { return a + b; } },
        SUB(false) { public double apply(double a, double b) { return a - b; } },
        MUL(false) { public double apply(double a, double b) { return a * b; } },
        DIV(false) { public double apply(double a, double b) { return a / b; } },
        POW(false) { public double apply(double a, double b) { return Math.pow(a, b); } },
        MAXIMUM(false) { public double apply(double a, double b) { return Math.max(a, b); } },
        MINIMUM(false) { public double apply(double a, double b) { return Math.min(a, b); } },
        EQ(true) { public double apply(double a, double b) { return a == b ? 1 : 0; } },
        NE(true) { public double apply(double a, double b) { return a != b ? 1 : 0; } },
        LT(true) { public double apply(double a, double b) { return a < b ? 1 : 0; } },
        LE(true) { public double apply(double a, double b) { return a <= b ? 1 : 0; } },
        GT(true) { public double apply(double a, double b) { return a > b ? 1 : 0; } },
        GE(true) { public double apply(double a, double b) { return a >= b ? 1 : 0; } };

        final boolean comparison;
        private final String opName = name().toLowerCase(Locale.ROOT); // once, not per call

        Binary(boolean comparison) {
            this.comparison = comparison;
        }

        public abstract double apply(double a, double b);

        public String opName() {
            return opName;
        }
    }

    public static Tensor unary(Unary op, Tensor x) {
        requireFloating(op.opName(), x);
        int n = x.size();
        if (x.dtype() == DType.FLOAT64) {
            double[] in = x.doubleStorage();
            double[] out = new double[n];
            for (int i = 0; i < n; i++) {
                out[i] = op.apply(in[i]);
            }
            return Tensor.wrap(out, x.shape());
        }
        float[] in = x.floatStorage();
        float[] out = new float[n];
        if (op == Unary.NEG) {
            for (int i = 0; i < n; i++) {
                out[i] = -in[i];
            }
        } else {
            for (int i = 0; i < n; i++) {
                out[i] = (float) op.apply(in[i]);
            }
        }
        return Tensor.wrap(out, x.shape());
    }

    public static Tensor binary(Binary op, Tensor a, Tensor b) {
        String name = op.opName();
        if (a.dtype() != b.dtype()) {
            throw new IllegalArgumentException(name + ": dtypes differ: " + a.dtype() + " " + Shapes.str(a.shape())
                    + " and " + b.dtype() + " " + Shapes.str(b.shape()) + "; cast one of them first");
        }
        if (a.dtype() == DType.BOOL && !(op == Binary.EQ || op == Binary.NE)) {
            throw new IllegalArgumentException(name + ": Bool operands " + Shapes.str(a.shape()) + " and "
                    + Shapes.str(b.shape()) + " are not supported; cast them to a floating type first");
        }
        int[] os = Shapes.broadcast(name, a.shape(), b.shape());
        int n = Shapes.size(os);
        if (a.dtype() == DType.FLOAT64) {
            return binary64(op, a, b, os, n);
        }
        float[] x = a.floatStorage();
        float[] y = b.floatStorage();
        float[] o = new float[n];
        if (x.length == n && y.length == n) {
            FloatLoops.sameShape(op, x, y, o);
        } else if (x.length == n && y.length == 1) {
            FloatLoops.withScalar(op, x, y[0], o);
        } else if (x.length == 1 && y.length == n) { // a scalar first, as in 1 - y*y: one row, no index
            FloatLoops.strided(op, x, 0, 0, y, 0, 1, o, 0, n);
        } else {
            NdIndex it = rows(os, a, b);
            int len = it.rowLength();
            int sx = it.rowStride(0);
            int sy = it.rowStride(1);
            for (int oo = 0; !it.done(); oo += len, it.next()) {
                FloatLoops.strided(op, x, it.offset(0), sx, y, it.offset(1), sy, o, oo, len);
            }
        }
        return op.comparison ? Tensor.wrapBool(o, os) : Tensor.wrap(o, os);
    }

    /**
     * The FLOAT64 path: every op through {@link Binary#apply} (a call per element, so a branch on
     * the output type costs nothing more); comparisons write 0/1 into a Bool {@code float[]}.
     */
    private static Tensor binary64(Binary op, Tensor a, Tensor b, int[] os, int n) {
        double[] x = a.doubleStorage();
        double[] y = b.doubleStorage();
        float[] ob = op.comparison ? new float[n] : null;
        double[] od = op.comparison ? null : new double[n];
        NdIndex it = rows(os, a, b);
        int len = it.rowLength();
        int sx = it.rowStride(0);
        int sy = it.rowStride(1);
        for (int oo = 0; !it.done(); oo += len, it.next()) {
            for (int j = 0, xo = it.offset(0), yo = it.offset(1); j < len; j++) {
                double v = op.apply(x[xo + j * sx], y[yo + j * sy]);
                if (ob != null) {
                    ob[oo + j] = (float) v;
                } else {
                    od[oo + j] = v;
                }
            }
        }
        return ob != null ? Tensor.wrapBool(ob, os) : Tensor.wrap(od, os);
    }

    /** Rows of the broadcast shape {@code os}, with offsets into {@code a} and {@code b}. */
    private static NdIndex rows(int[] os, Tensor a, Tensor b) {
        return NdIndex.rows(os, Shapes.broadcastStrides(a.shape(), os), Shapes.broadcastStrides(b.shape(), os));
    }

    /** {@code cond ? a : b}, elementwise with broadcasting of all three. */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        if (cond.dtype() != DType.BOOL) {
            throw new IllegalArgumentException("where: the condition must be Bool, got " + cond.dtype() + " "
                    + Shapes.str(cond.shape()));
        }
        if (a.dtype() != b.dtype()) {
            throw new IllegalArgumentException("where: dtypes differ: " + a.dtype() + " " + Shapes.str(a.shape())
                    + " and " + b.dtype() + " " + Shapes.str(b.shape()));
        }
        int[] os = Shapes.broadcast("where", Shapes.broadcast("where", cond.shape(), a.shape()), b.shape());
        int n = Shapes.size(os);
        float[] cf = Movement.broadcastTo(cond, os).floatStorage();
        // A scalar branch (where(c, g, 0) in VJP rules) is read in place, not broadcast to a copy.
        // The select is done on bits with a mask (-1 or 0): masks are random, so a branch per
        // element would mispredict half the time. Exact for every value, NaN and -0 included.
        if (a.dtype() == DType.FLOAT64) {
            double[] o = new double[n];
            double[] xd = a.size() == 1 ? null : Movement.broadcastTo(a, os).doubleStorage();
            double[] yd = b.size() == 1 ? null : Movement.broadcastTo(b, os).doubleStorage();
            long xs = a.size() == 1 ? Double.doubleToRawLongBits(a.getFlat(0)) : 0;
            long ys = b.size() == 1 ? Double.doubleToRawLongBits(b.getFlat(0)) : 0;
            for (int i = 0; i < n; i++) {
                long m = -(long) cf[i];
                long xb = xd == null ? xs : Double.doubleToRawLongBits(xd[i]);
                long yb = yd == null ? ys : Double.doubleToRawLongBits(yd[i]);
                o[i] = Double.longBitsToDouble((xb & m) | (yb & ~m));
            }
            return Tensor.wrap(o, os);
        }
        float[] o = new float[n];
        float[] xf = a.size() == 1 ? null : Movement.broadcastTo(a, os).floatStorage();
        float[] yf = b.size() == 1 ? null : Movement.broadcastTo(b, os).floatStorage();
        int xs = a.size() == 1 ? Float.floatToRawIntBits(a.floatStorage()[0]) : 0;
        int ys = b.size() == 1 ? Float.floatToRawIntBits(b.floatStorage()[0]) : 0;
        for (int i = 0; i < n; i++) {
            int m = -(int) cf[i];
            int xb = xf == null ? xs : Float.floatToRawIntBits(xf[i]);
            int yb = yf == null ? ys : Float.floatToRawIntBits(yf[i]);
            o[i] = Float.intBitsToFloat((xb & m) | (yb & ~m));
        }
        return Storage.wrap(a.dtype(), o, os);
    }

    /** Converts between dtypes; to BOOL means {@code x != 0}. */
    public static Tensor cast(Tensor x, DType to) {
        if (x.dtype() == to) {
            return x;
        }
        if (to == DType.FLOAT64) {
            return Tensor.wrap(x.toDoubleArray(), x.shape());
        }
        int n = x.size();
        float[] o = new float[n];
        for (int i = 0; i < n; i++) {
            double v = x.getFlat(i);
            o[i] = to == DType.BOOL ? (v != 0 ? 1f : 0f) : (float) v;
        }
        return Storage.wrap(to, o, x.shape());
    }

    static void requireFloating(String op, Tensor x) {
        if (!x.dtype().isFloating()) {
            throw new IllegalArgumentException(op + ": needs a floating tensor, got " + x.dtype() + " "
                    + Shapes.str(x.shape()));
        }
    }
}
