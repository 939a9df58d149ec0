package io.sparkgrad.kernel;

import io.sparkgrad.DType;
import io.sparkgrad.Tensor;
import io.sparkgrad.shape.NdIndex;
import io.sparkgrad.shape.Shapes;
import java.util.Arrays;

/**
 * Data movement: reshape, transpose, broadcast, slice and its adjoint pad, concat, and the
 * per-row indexing of gather and oneHot. Results are dense row-major copies (reshape shares the
 * storage). Strided reads go a row at a time through {@link NdIndex}; rows that are contiguous in
 * both source and destination are one {@link System#arraycopy}, the same code for every dtype.
 */
public final class Movement {
    private Movement() {
    }

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
        return Storage.wrap(x.dtype(), Storage.of(x), shape);
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
        if (x.size() == 1) { // a scalar cotangent spread over a sum's input: a fill, no index walk
            Object out = Storage.allocate(x.dtype(), Shapes.size(shape));
            if (out instanceof double[] od) {
                Arrays.fill(od, x.doubleStorage()[0]);
            } else {
                Arrays.fill((float[]) out, x.floatStorage()[0]);
            }
            return Storage.wrap(x.dtype(), out, shape);
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
        Object src = Storage.of(x);
        Object out = Storage.allocate(x.dtype(), Shapes.size(outShape));
        NdIndex it = NdIndex.rows(s, ost); // a row of x is contiguous in the output too
        int len = it.rowLength();
        for (int i = 0; !it.done(); i += len, it.next()) {
            System.arraycopy(src, i, out, off + it.offset(0), len);
        }
        return Storage.wrap(x.dtype(), out, outShape);
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
        int outer = Shapes.size(Arrays.copyOf(s0, axis));
        int inner = Shapes.size(Arrays.copyOfRange(s0, axis + 1, s0.length));
        Object out = Storage.allocate(xs[0].dtype(), Shapes.size(os));
        int rowOut = total * inner;
        int col = 0;
        for (Tensor t : xs) {
            int w = t.shape()[axis] * inner;
            Object src = Storage.of(t);
            for (int o = 0; o < outer; o++) {
                System.arraycopy(src, o * w, out, o * rowOut + col, w);
            }
            col += w;
        }
        return Storage.wrap(xs[0].dtype(), out, os);
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
            double[] xd = x.doubleStorage();
            double[] o = new double[n];
            for (int i = 0; i < n; i++) {
                o[i] = xd[i * c + idx[i]];
            }
            return Tensor.wrap(o, n);
        }
        float[] xf = x.floatStorage();
        float[] o = new float[n];
        for (int i = 0; i < n; i++) {
            o[i] = xf[i * c + idx[i]];
        }
        return Tensor.wrap(o, n);
    }

    /** One-hot rows: {@code out[i, index[i]] = 1}, of shape [N, classes]. */
    public static Tensor oneHot(Tensor index, int classes, DType dtype) {
        int n = index.size();
        Tensor out = Tensor.zeros(dtype, n, classes);
        float[] of = out.floatStorage();
        double[] od = out.doubleStorage();
        for (int i = 0; i < n; i++) {
            int k = checkIndex("oneHot", index.getFlat(i), i, classes);
            if (od != null) {
                od[i * classes + k] = 1;
            } else {
                of[i * classes + k] = 1;
            }
        }
        return out;
    }

    static int[] rowIndices(String op, Tensor x, Tensor index) {
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

    /** Copies {@code x} read with the given strides from {@code base} into a dense tensor of {@code shape}. */
    private static Tensor gatherStrided(Tensor x, int[] shape, int[] strides, int base) {
        Object out = Storage.allocate(x.dtype(), Shapes.size(shape));
        NdIndex it = NdIndex.rows(shape, strides);
        int len = it.rowLength();
        int is = it.rowStride(0);
        float[] xf = x.floatStorage();
        double[] xd = x.doubleStorage();
        for (int o = 0; !it.done(); o += len, it.next()) {
            int io = base + it.offset(0);
            if (is == 1) {
                System.arraycopy(xd != null ? xd : xf, io, out, o, len);
            } else if (xd != null) {
                double[] od = (double[]) out;
                for (int j = 0; j < len; j++) {
                    od[o + j] = xd[io + j * is];
                }
            } else {
                float[] of = (float[]) out;
                for (int j = 0; j < len; j++) {
                    of[o + j] = xf[io + j * is];
                }
            }
        }
        return Storage.wrap(x.dtype(), out, shape);
    }
}
