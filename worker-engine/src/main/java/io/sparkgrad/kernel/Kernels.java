package io.sparkgrad.kernel;

import io.sparkgrad.DType;
import io.sparkgrad.Tensor;
import io.sparkgrad.shape.Shapes;
import java.util.Arrays;

/**
 * The forward kernels: elementwise maps with NumPy broadcasting, reductions, matmul (through
 * {@link Blas}) and data movement. Each takes and returns plain tensors and knows nothing about
 * graphs; {@code io.sparkgrad.ops.Primitives} pairs each with its gradient rule. Input checks
 * happen here, before any loop, and name the op and the shapes.
 *
 * <p>FLOAT32 results are computed in double and rounded once, which for +, -, *, / and sqrt is
 * exactly IEEE single-precision arithmetic. Sums accumulate in double.
 */
public final class Kernels {
    private Kernels() {
    }

    // ---- elementwise -----------------------------------------------------------------------

    /** Unary elementwise functions. */
    public enum Unary {
        NEG { public double apply(double x) { return -x; } },
        EXP { public double apply(double x) { return Math.exp(x); } },
        LOG { public double apply(double x) { return Math.log(x); } },
        SQRT { public double apply(double x) { return Math.sqrt(x); } },
        ABS { public double apply(double x) { return Math.abs(x); } },
        TANH { public double apply(double x) { return Math.tanh(x); } },
        SIGN { public double apply(double x) { return Math.signum(x); } };

        public abstract double apply(double x);
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

        Binary(boolean comparison) {
            this.comparison = comparison;
        }

        public abstract double apply(double a, double b);

        public String opName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public static Tensor unary(Unary op, Tensor x) {
        requireFloating(op.name().toLowerCase(java.util.Locale.ROOT), x);
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
        DType outType = op.comparison ? DType.BOOL : a.dtype();
        Strided it = new Strided(os, a.shape(), b.shape());
        if (a.dtype() == DType.FLOAT64) {
            double[] x = a.doubleStorage();
            double[] y = b.doubleStorage();
            if (op.comparison) {
                float[] ob = new float[n];
                it.forEach((oo, xo, sx, yo, sy, len) -> {
                    for (int j = 0; j < len; j++) {
                        ob[oo + j] = (float) op.apply(x[xo + j * sx], y[yo + j * sy]);
                    }
                });
                return Tensor.wrapBool(ob, os);
            }
            double[] o = new double[n];
            it.forEach((oo, xo, sx, yo, sy, len) -> {
                for (int j = 0; j < len; j++) {
                    o[oo + j] = op.apply(x[xo + j * sx], y[yo + j * sy]);
                }
            });
            return Tensor.wrap(o, os);
        }
        float[] x = a.floatStorage();
        float[] y = b.floatStorage();
        float[] o = new float[n];
        if (x.length == n && y.length == n) {
            sameShape(op, x, y, o); // no broadcasting: one index, which the JIT vectorises
        } else if (x.length == n && y.length == 1) {
            withScalar(op, x, y[0], o);
        } else {
            it.forEach((oo, xo, sx, yo, sy, len) -> floatLoop(op, x, xo, sx, y, yo, sy, o, oo, len));
        }
        return outType == DType.BOOL ? Tensor.wrapBool(o, os) : Tensor.wrap(o, os);
    }

    /** {@code o = x op c} for a scalar {@code c} (e.g. {@code ge(x, 0)}, {@code add(e, 1)}). */
    private static void withScalar(Binary op, float[] x, float c, float[] o) {
        int n = o.length;
        switch (op) {
            case ADD:
                for (int i = 0; i < n; i++) {
                    o[i] = x[i] + c;
                }
                break;
            case MUL:
                for (int i = 0; i < n; i++) {
                    o[i] = x[i] * c;
                }
                break;
            case GE:
                for (int i = 0; i < n; i++) {
                    o[i] = x[i] >= c ? 1f : 0f;
                }
                break;
            case GT:
                for (int i = 0; i < n; i++) {
                    o[i] = x[i] > c ? 1f : 0f;
                }
                break;
            default:
                floatLoop(op, x, 0, 1, new float[] {c}, 0, 0, o, 0, n);
        }
    }

    /** {@code o = x op y} over equal-length arrays, one shared index. */
    private static void sameShape(Binary op, float[] x, float[] y, float[] o) {
        int n = o.length;
        switch (op) {
            case ADD:
                for (int i = 0; i < n; i++) {
                    o[i] = x[i] + y[i];
                }
                break;
            case SUB:
                for (int i = 0; i < n; i++) {
                    o[i] = x[i] - y[i];
                }
                break;
            case MUL:
                for (int i = 0; i < n; i++) {
                    o[i] = x[i] * y[i];
                }
                break;
            case DIV:
                for (int i = 0; i < n; i++) {
                    o[i] = x[i] / y[i];
                }
                break;
            default:
                floatLoop(op, x, 0, 1, y, 0, 1, o, 0, n);
        }
    }

    private static void floatLoop(Binary op, float[] x, int xo, int sx, float[] y, int yo, int sy,
                                  float[] o, int oo, int len) {
        switch (op) {
            case ADD:
                for (int j = 0; j < len; j++) {
                    o[oo + j] = x[xo + j * sx] + y[yo + j * sy];
                }
                break;
            case SUB:
                for (int j = 0; j < len; j++) {
                    o[oo + j] = x[xo + j * sx] - y[yo + j * sy];
                }
                break;
            case MUL:
                for (int j = 0; j < len; j++) {
                    o[oo + j] = x[xo + j * sx] * y[yo + j * sy];
                }
                break;
            case DIV:
                for (int j = 0; j < len; j++) {
                    o[oo + j] = x[xo + j * sx] / y[yo + j * sy];
                }
                break;
            case GT: // comparisons as selects, not calls: their outcomes are unpredictable
                for (int j = 0; j < len; j++) {
                    o[oo + j] = x[xo + j * sx] > y[yo + j * sy] ? 1f : 0f;
                }
                break;
            case GE:
                for (int j = 0; j < len; j++) {
                    o[oo + j] = x[xo + j * sx] >= y[yo + j * sy] ? 1f : 0f;
                }
                break;
            case LT:
                for (int j = 0; j < len; j++) {
                    o[oo + j] = x[xo + j * sx] < y[yo + j * sy] ? 1f : 0f;
                }
                break;
            case LE:
                for (int j = 0; j < len; j++) {
                    o[oo + j] = x[xo + j * sx] <= y[yo + j * sy] ? 1f : 0f;
                }
                break;
            default:
                for (int j = 0; j < len; j++) {
                    o[oo + j] = (float) op.apply(x[xo + j * sx], y[yo + j * sy]);
                }
        }
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
        float[] cf = broadcastTo(cond, os).floatStorage();
        // A scalar branch (where(c, g, 0) in VJP rules) is read in place, not broadcast to a copy.
        // The select is done on bits with a mask (-1 or 0): masks are random, so a branch per
        // element would mispredict half the time. Exact for every value, NaN and -0 included.
        if (a.dtype() == DType.FLOAT64) {
            double[] o = new double[n];
            double[] xd = a.size() == 1 ? null : broadcastTo(a, os).doubleStorage();
            double[] yd = b.size() == 1 ? null : broadcastTo(b, os).doubleStorage();
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
        float[] xf = a.size() == 1 ? null : broadcastTo(a, os).floatStorage();
        float[] yf = b.size() == 1 ? null : broadcastTo(b, os).floatStorage();
        int xs = a.size() == 1 ? Float.floatToRawIntBits(a.floatStorage()[0]) : 0;
        int ys = b.size() == 1 ? Float.floatToRawIntBits(b.floatStorage()[0]) : 0;
        for (int i = 0; i < n; i++) {
            int m = -(int) cf[i];
            int xb = xf == null ? xs : Float.floatToRawIntBits(xf[i]);
            int yb = yf == null ? ys : Float.floatToRawIntBits(yf[i]);
            o[i] = Float.intBitsToFloat((xb & m) | (yb & ~m));
        }
        return a.dtype() == DType.BOOL ? Tensor.wrapBool(o, os) : Tensor.wrap(o, os);
    }

    /** Converts between dtypes; to BOOL means {@code x != 0}. */
    public static Tensor cast(Tensor x, DType to) {
        if (x.dtype() == to) {
            return x;
        }
        int n = x.size();
        if (to == DType.FLOAT64) {
            return Tensor.wrap(x.toDoubleArray(), x.shape());
        }
        float[] o = new float[n];
        for (int i = 0; i < n; i++) {
            double v = x.getFlat(i);
            o[i] = to == DType.BOOL ? (v != 0 ? 1f : 0f) : (float) v;
        }
        return to == DType.BOOL ? Tensor.wrapBool(o, x.shape()) : Tensor.wrap(o, x.shape());
    }

    // ---- reductions ------------------------------------------------------------------------

    /** Sum over {@code axes} (all when empty), accumulated in double. */
    public static Tensor sum(Tensor x, int[] axes, boolean keepDims) {
        return reduce("sum", x, axes, keepDims, false);
    }

    /** Maximum over {@code axes} (all when empty); NaN wins, as in NumPy. */
    public static Tensor max(Tensor x, int[] axes, boolean keepDims) {
        return reduce("max", x, axes, keepDims, true);
    }

    private static Tensor reduce(String name, Tensor x, int[] axesIn, boolean keepDims, boolean isMax) {
        requireFloating(name, x);
        int[] shape = x.shape();
        int[] axes = Shapes.axes(axesIn, shape.length, name);
        int[] kept = Shapes.reduced(shape, axes, true);
        int[] outShape = Shapes.reduced(shape, axes, keepDims);
        int n = x.size();
        int on = Shapes.size(kept);
        if (isMax && n == 0) {
            throw new IllegalArgumentException("max: cannot reduce an empty tensor of shape " + Shapes.str(shape));
        }
        double[] acc = new double[on];
        if (!isMax && on == 1 && x.dtype() == DType.FLOAT32) { // a full sum: one pass, in order
            float[] f = x.floatStorage();
            double s = 0;
            for (int i = 0; i < n; i++) {
                s += f[i];
            }
            return Tensor.wrap(new float[] {(float) s}, outShape);
        }
        if (isMax) {
            Arrays.fill(acc, Double.NEGATIVE_INFINITY);
        }
        int[] ost = Shapes.broadcastStrides(kept, shape);
        int r = shape.length;
        int[] idx = new int[r];
        int oo = 0;
        for (int i = 0; i < n; i++) {
            double v = x.getFlat(i);
            if (isMax) {
                double cur = acc[oo];
                acc[oo] = (v > cur || Double.isNaN(v)) && !Double.isNaN(cur) ? v : cur;
            } else {
                acc[oo] += v;
            }
            for (int d = r - 1; d >= 0; d--) { // odometer over the input index
                idx[d]++;
                oo += ost[d];
                if (idx[d] < shape[d]) {
                    break;
                }
                oo -= ost[d] * idx[d];
                idx[d] = 0;
            }
        }
        if (x.dtype() == DType.FLOAT64) {
            return Tensor.wrap(acc, outShape);
        }
        float[] o = new float[on];
        for (int i = 0; i < on; i++) {
            o[i] = (float) acc[i];
        }
        return Tensor.wrap(o, outShape);
    }

    // ---- products --------------------------------------------------------------------------

    /**
     * {@code op(a) @ op(b)} over the last two axes, broadcasting the leading (batch) axes;
     * {@code op} transposes the last two axes when its flag is set.
     */
    public static Tensor matmul(Tensor a, Tensor b, boolean transA, boolean transB) {
        if (a.rank() < 2 || b.rank() < 2) {
            throw new IllegalArgumentException("matmul: needs rank >= 2 operands, got shapes " + Shapes.str(a.shape())
                    + " and " + Shapes.str(b.shape()) + " (use dot for vectors)");
        }
        if (a.dtype() != b.dtype() || !a.dtype().isFloating()) {
            throw new IllegalArgumentException("matmul: dtypes " + a.dtype() + " " + Shapes.str(a.shape()) + " and "
                    + b.dtype() + " " + Shapes.str(b.shape()) + " must be the same floating type");
        }
        int[] as = a.shape();
        int[] bs = b.shape();
        int ar = as.length;
        int br = bs.length;
        int m = transA ? as[ar - 1] : as[ar - 2];
        int k = transA ? as[ar - 2] : as[ar - 1];
        int kb = transB ? bs[br - 1] : bs[br - 2];
        int n = transB ? bs[br - 2] : bs[br - 1];
        if (k != kb) {
            throw new IllegalArgumentException("matmul: shapes " + Shapes.str(as) + (transA ? "^T" : "") + " and "
                    + Shapes.str(bs) + (transB ? "^T" : "") + " do not match: inner dimensions " + k + " and " + kb);
        }
        int[] abatch = Arrays.copyOf(as, ar - 2);
        int[] bbatch = Arrays.copyOf(bs, br - 2);
        int[] batch = Shapes.broadcast("matmul", abatch, bbatch);
        int nb = Shapes.size(batch);
        int[] outShape = Arrays.copyOf(batch, batch.length + 2);
        outShape[batch.length] = m;
        outShape[batch.length + 1] = n;
        int[] sa = Shapes.broadcastStrides(abatch, batch);
        int[] sb = Shapes.broadcastStrides(bbatch, batch);
        Blas blas = Blas.forSize(m, n, k);
        boolean f64 = a.dtype() == DType.FLOAT64;
        float[] of = f64 ? null : new float[nb * m * n];
        double[] od = f64 ? new double[nb * m * n] : null;
        int[] idx = new int[batch.length];
        for (int t = 0; t < nb; t++) {
            int ao = 0;
            int bo = 0;
            for (int d = 0; d < batch.length; d++) {
                ao += idx[d] * sa[d];
                bo += idx[d] * sb[d];
            }
            ao *= m * k;
            bo *= k * n;
            if (f64) {
                blas.dgemm(transA, transB, m, n, k, a.doubleStorage(), ao, b.doubleStorage(), bo, od, t * m * n);
            } else {
                blas.sgemm(transA, transB, m, n, k, a.floatStorage(), ao, b.floatStorage(), bo, of, t * m * n);
            }
            for (int d = batch.length - 1; d >= 0; d--) {
                if (++idx[d] < batch[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
        return f64 ? Tensor.wrap(od, outShape) : Tensor.wrap(of, outShape);
    }

    // ---- data movement ---------------------------------------------------------------------

    /** The same storage under a new shape; one dimension may be -1. */
    public static Tensor reshape(Tensor x, int[] shapeIn) {
        int[] shape = shapeIn.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == -1) {
                if (infer >= 0) {
                    throw new IllegalArgumentException("reshape: more than one -1 in " + Shapes.str(shapeIn));
                }
                infer = i;
            } else if (shape[i] < 0) {
                throw new IllegalArgumentException("reshape: negative dimension in " + Shapes.str(shapeIn));
            } else {
                known *= shape[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || x.size() % known != 0) {
                throw new IllegalArgumentException("reshape: cannot reshape " + Shapes.str(x.shape()) + " ("
                        + x.size() + " elements) to " + Shapes.str(shapeIn));
            }
            shape[infer] = (int) (x.size() / known);
        }
        if (Shapes.size(shape) != x.size()) {
            throw new IllegalArgumentException("reshape: cannot reshape " + Shapes.str(x.shape()) + " (" + x.size()
                    + " elements) to " + Shapes.str(shapeIn));
        }
        return rewrap(x, x.floatStorage(), x.doubleStorage(), shape);
    }

    /** Permutes the axes: output axis i is input axis {@code perm[i]}. */
    public static Tensor transpose(Tensor x, int[] perm) {
        int r = x.rank();
        if (perm.length != r) {
            throw new IllegalArgumentException("transpose: permutation " + Shapes.str(perm) + " does not fit shape "
                    + Shapes.str(x.shape()));
        }
        boolean[] seen = new boolean[r];
        for (int p : perm) {
            if (p < 0 || p >= r || seen[p]) {
                throw new IllegalArgumentException("transpose: " + Shapes.str(perm) + " is not a permutation of "
                        + r + " axes");
            }
            seen[p] = true;
        }
        int[] in = x.shape();
        int[] st = Shapes.strides(in);
        int[] os = new int[r];
        int[] pst = new int[r];
        for (int i = 0; i < r; i++) {
            os[i] = in[perm[i]];
            pst[i] = st[perm[i]];
        }
        return gatherStrided(x, os, pst, 0);
    }

    /** Broadcasts {@code x} to {@code shape} (a copy, NumPy rules). */
    public static Tensor broadcastTo(Tensor x, int[] shape) {
        if (!Shapes.broadcastsTo(x.shape(), shape)) {
            throw new IllegalArgumentException("broadcastTo: shape " + Shapes.str(x.shape()) + " cannot be broadcast to "
                    + Shapes.str(shape));
        }
        if (Arrays.equals(x.shape(), shape)) {
            return x;
        }
        return gatherStrided(x, shape, Shapes.broadcastStrides(x.shape(), shape), 0);
    }

    /** The block {@code [begin, begin+size)} along every axis. */
    public static Tensor slice(Tensor x, int[] begin, int[] size) {
        int[] s = x.shape();
        if (begin.length != s.length || size.length != s.length) {
            throw new IllegalArgumentException("slice: begin " + Shapes.str(begin) + " and size " + Shapes.str(size)
                    + " must have one entry per axis of " + Shapes.str(s));
        }
        int off = 0;
        int[] st = Shapes.strides(s);
        for (int i = 0; i < s.length; i++) {
            if (begin[i] < 0 || size[i] < 0 || begin[i] + size[i] > s[i]) {
                throw new IllegalArgumentException("slice: begin " + Shapes.str(begin) + " size " + Shapes.str(size)
                        + " is out of bounds for shape " + Shapes.str(s));
            }
            off += begin[i] * st[i];
        }
        return gatherStrided(x, size.clone(), st, off);
    }

    /** Zeros of {@code outShape} with {@code x} placed at {@code begin}: the adjoint of slice. */
    public static Tensor pad(Tensor x, int[] begin, int[] outShape) {
        int[] s = x.shape();
        int r = s.length;
        if (begin.length != r || outShape.length != r) {
            throw new IllegalArgumentException("pad: begin " + Shapes.str(begin) + " and shape " + Shapes.str(outShape)
                    + " must have one entry per axis of " + Shapes.str(s));
        }
        int[] ost = Shapes.strides(outShape);
        int off = 0;
        for (int i = 0; i < r; i++) {
            if (begin[i] < 0 || begin[i] + s[i] > outShape[i]) {
                throw new IllegalArgumentException("pad: " + Shapes.str(s) + " at " + Shapes.str(begin)
                        + " does not fit in " + Shapes.str(outShape));
            }
            off += begin[i] * ost[i];
        }
        int n = Shapes.size(outShape);
        boolean f64 = x.dtype() == DType.FLOAT64;
        float[] of = f64 ? null : new float[n];
        double[] od = f64 ? new double[n] : null;
        int[] idx = new int[r];
        int oo = off;
        for (int i = 0, m = x.size(); i < m; i++) {
            if (f64) {
                od[oo] = x.doubleStorage()[i];
            } else {
                of[oo] = x.floatStorage()[i];
            }
            for (int d = r - 1; d >= 0; d--) {
                idx[d]++;
                oo += ost[d];
                if (idx[d] < s[d]) {
                    break;
                }
                oo -= ost[d] * idx[d];
                idx[d] = 0;
            }
        }
        return rewrap(x, of, od, outShape);
    }

    /** Joins tensors along an existing axis. */
    public static Tensor concat(Tensor[] xs, int axisIn) {
        if (xs.length == 0) {
            throw new IllegalArgumentException("concat: no tensors to join");
        }
        int[] s0 = xs[0].shape();
        int axis = Shapes.axis(axisIn, s0.length, "concat");
        int total = 0;
        for (Tensor t : xs) {
            int[] s = t.shape();
            boolean ok = s.length == s0.length && t.dtype() == xs[0].dtype();
            for (int i = 0; ok && i < s.length; i++) {
                ok = i == axis || s[i] == s0[i];
            }
            if (!ok) {
                throw new IllegalArgumentException("concat along axis " + axisIn + ": " + t.dtype() + " " + Shapes.str(s)
                        + " does not match " + xs[0].dtype() + " " + Shapes.str(s0));
            }
            total += s[axis];
        }
        int[] os = s0.clone();
        os[axis] = total;
        int outer = 1;
        for (int i = 0; i < axis; i++) {
            outer *= s0[i];
        }
        int inner = 1;
        for (int i = axis + 1; i < s0.length; i++) {
            inner *= s0[i];
        }
        int n = Shapes.size(os);
        boolean f64 = xs[0].dtype() == DType.FLOAT64;
        float[] of = f64 ? null : new float[n];
        double[] od = f64 ? new double[n] : null;
        int rowOut = total * inner;
        int col = 0;
        for (Tensor t : xs) {
            int w = t.shape()[axis] * inner;
            for (int o = 0; o < outer; o++) {
                if (f64) {
                    System.arraycopy(t.doubleStorage(), o * w, od, o * rowOut + col, w);
                } else {
                    System.arraycopy(t.floatStorage(), o * w, of, o * rowOut + col, w);
                }
            }
            col += w;
        }
        return rewrap(xs[0], of, od, os);
    }

    /**
     * Picks one element per row: {@code out[i] = x[i, index[i]]} for {@code x} of shape [N, C]
     * and integral {@code index} of shape [N].
     */
    public static Tensor gather(Tensor x, Tensor index) {
        int[] idx = rowIndices("gather", x, index);
        int c = x.shape()[1];
        int n = idx.length;
        if (x.dtype() == DType.FLOAT64) {
            double[] o = new double[n];
            for (int i = 0; i < n; i++) {
                o[i] = x.doubleStorage()[i * c + idx[i]];
            }
            return Tensor.wrap(o, n);
        }
        float[] o = new float[n];
        for (int i = 0; i < n; i++) {
            o[i] = x.floatStorage()[i * c + idx[i]];
        }
        return Tensor.wrap(o, n);
    }

    /** One-hot rows: {@code out[i, index[i]] = 1}, of shape [N, classes]. */
    public static Tensor oneHot(Tensor index, int classes, DType dtype) {
        int n = index.size();
        Tensor out = Tensor.zeros(dtype, n, classes);
        for (int i = 0; i < n; i++) {
            int k = checkIndex("oneHot", index.getFlat(i), i, classes);
            if (dtype == DType.FLOAT64) {
                out.doubleStorage()[i * classes + k] = 1;
            } else {
                out.floatStorage()[i * classes + k] = 1;
            }
        }
        return out;
    }

    private static int[] rowIndices(String op, Tensor x, Tensor index) {
        if (x.rank() != 2 || index.rank() != 1 || index.shape()[0] != x.shape()[0]) {
            throw new IllegalArgumentException(op + ": needs x of shape [N, C] and index of shape [N], got "
                    + Shapes.str(x.shape()) + " and " + Shapes.str(index.shape()));
        }
        int c = x.shape()[1];
        int[] out = new int[index.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = checkIndex(op, index.getFlat(i), i, c);
        }
        return out;
    }

    private static int checkIndex(String op, double v, int row, int classes) {
        if (v != Math.rint(v) || v < 0 || v >= classes) {
            throw new IndexOutOfBoundsException(op + ": index " + v + " at row " + row + " is out of range [0, "
                    + classes + ")");
        }
        return (int) v;
    }

    // ---- helpers ---------------------------------------------------------------------------

    /** Copies {@code x} read with the given strides from {@code base} into a dense tensor of {@code shape}. */
    private static Tensor gatherStrided(Tensor x, int[] shape, int[] strides, int base) {
        int n = Shapes.size(shape);
        int r = shape.length;
        boolean f64 = x.dtype() == DType.FLOAT64;
        float[] xf = x.floatStorage();
        double[] xd = x.doubleStorage();
        float[] of = f64 ? null : new float[n];
        double[] od = f64 ? new double[n] : null;
        if (n > 0) {
            int[] idx = new int[r];
            int io = base;
            int inner = r == 0 ? 1 : shape[r - 1];
            int is = r == 0 ? 0 : strides[r - 1];
            for (int o = 0; o < n; o += inner) {
                if (f64) {
                    for (int j = 0; j < inner; j++) {
                        od[o + j] = xd[io + j * is];
                    }
                } else {
                    for (int j = 0; j < inner; j++) {
                        of[o + j] = xf[io + j * is];
                    }
                }
                for (int d = r - 2; d >= 0; d--) {
                    idx[d]++;
                    io += strides[d];
                    if (idx[d] < shape[d]) {
                        break;
                    }
                    io -= strides[d] * idx[d];
                    idx[d] = 0;
                }
            }
        }
        return rewrap(x, of, od, shape);
    }

    private static Tensor rewrap(Tensor like, float[] f, double[] d, int[] shape) {
        switch (like.dtype()) {
            case FLOAT64:
                return Tensor.wrap(d, shape);
            case BOOL:
                return Tensor.wrapBool(f, shape);
            default:
                return Tensor.wrap(f, shape);
        }
    }

    private static void requireFloating(String op, Tensor x) {
        if (!x.dtype().isFloating()) {
            throw new IllegalArgumentException(op + ": needs a floating tensor, got " + x.dtype() + " "
                    + Shapes.str(x.shape()));
        }
    }

    /** Walks an output shape in rows of its last axis, with the matching offsets into two inputs. */
    private static final class Strided {
        interface Row {
            void run(int oo, int xo, int sx, int yo, int sy, int len);
        }

        private final int[] os;
        private final int[] sa;
        private final int[] sb;

        Strided(int[] os, int[] a, int[] b) {
            this.os = os;
            this.sa = Shapes.broadcastStrides(a, os);
            this.sb = Shapes.broadcastStrides(b, os);
        }

        void forEach(Row row) {
            int r = os.length;
            int n = Shapes.size(os);
            if (n == 0) {
                return;
            }
            if (r == 0) {
                row.run(0, 0, 0, 0, 0, 1);
                return;
            }
            int inner = os[r - 1];
            int[] idx = new int[r];
            int xo = 0;
            int yo = 0;
            for (int o = 0; o < n; o += inner) {
                row.run(o, xo, sa[r - 1], yo, sb[r - 1], inner);
                for (int d = r - 2; d >= 0; d--) {
                    idx[d]++;
                    xo += sa[d];
                    yo += sb[d];
                    if (idx[d] < os[d]) {
                        break;
                    }
                    xo -= sa[d] * idx[d];
                    yo -= sb[d] * idx[d];
                    idx[d] = 0;
                }
            }
        }
    }
}
