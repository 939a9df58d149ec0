package io.sparkgrad.shape;

import java.util.Arrays;

/** Shape arithmetic: sizes, strides, axes and NumPy broadcasting. Pure functions. */
public final class Shapes {
    private Shapes() {
    }

    /** Validates a shape (no negative dimensions) and returns it. */
    public static int[] check(int[] shape) {
        for (int s : shape) {
            if (s < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
        }
        return shape;
    }

    public static int size(int[] shape) {
        long n = 1;
        for (int s : shape) {
            n *= s;
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has more than 2^31-1 elements");
            }
        }
        return (int) n;
    }

    /** Row-major strides. */
    public static int[] strides(int[] shape) {
        int[] st = new int[shape.length];
        int s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            st[i] = s;
            s *= shape[i];
        }
        return st;
    }

    /** Normalises a possibly negative axis; {@code what} names the op for the error. */
    public static int axis(int axis, int rank, String what) {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw new IllegalArgumentException(what + ": axis " + axis + " is out of range for rank " + rank);
        }
        return a;
    }

    /** Row-major offset of an index. */
    public static int offset(int[] shape, int[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index " + Arrays.toString(index) + " does not fit shape "
                    + Arrays.toString(shape));
        }
        int off = 0;
        for (int i = 0; i < shape.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " is out of bounds for shape "
                        + Arrays.toString(shape));
            }
            off = off * shape[i] + index[i];
        }
        return off;
    }

    /** The NumPy broadcast of two shapes; the error names the op and both shapes. */
    public static int[] broadcast(String op, int[] a, int[] b) {
        int r = Math.max(a.length, b.length);
        int[] out = new int[r];
        for (int i = 0; i < r; i++) {
            int da = i < r - a.length ? 1 : a[i - (r - a.length)];
            int db = i < r - b.length ? 1 : b[i - (r - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException(op + ": shapes " + Arrays.toString(a) + " and "
                        + Arrays.toString(b) + " cannot be broadcast together");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /**
     * Strides of {@code shape} viewed as broadcast to {@code target}: 0 along broadcast axes.
     * {@code shape} must be broadcastable to {@code target}.
     */
    public static int[] broadcastStrides(int[] shape, int[] target) {
        int r = target.length;
        int[] st = strides(shape);
        int[] out = new int[r];
        for (int i = 0; i < r; i++) {
            int j = i - (r - shape.length);
            if (j >= 0 && shape[j] != 1) {
                out[i] = st[j];
            }
        }
        return out;
    }

    /** True when {@code from} broadcasts to exactly {@code to}. */
    public static boolean broadcastsTo(int[] from, int[] to) {
        if (from.length > to.length) {
            return false;
        }
        for (int i = 0; i < from.length; i++) {
            int t = to[to.length - from.length + i];
            if (from[i] != t && from[i] != 1) {
                return false;
            }
        }
        return true;
    }

    /** Normalised, sorted, distinct axes; an empty array means all axes. */
    public static int[] axes(int[] axes, int rank, String what) {
        if (axes == null || axes.length == 0) {
            int[] all = new int[rank];
            for (int i = 0; i < rank; i++) {
                all[i] = i;
            }
            return all;
        }
        boolean[] seen = new boolean[rank];
        for (int a : axes) {
            int n = axis(a, rank, what);
            if (seen[n]) {
                throw new IllegalArgumentException(what + ": axis " + a + " appears twice in " + Arrays.toString(axes));
            }
            seen[n] = true;
        }
        int[] out = new int[axes.length];
        int k = 0;
        for (int i = 0; i < rank; i++) {
            if (seen[i]) {
                out[k++] = i;
            }
        }
        return out;
    }

    /** The shape after reducing {@code axes} (sorted), keeping them as 1 or dropping them. */
    public static int[] reduced(int[] shape, int[] axes, boolean keepDims) {
        boolean[] red = new boolean[shape.length];
        for (int a : axes) {
            red[a] = true;
        }
        int[] out = new int[keepDims ? shape.length : shape.length - axes.length];
        int k = 0;
        for (int i = 0; i < shape.length; i++) {
            if (!red[i]) {
                out[k++] = shape[i];
            } else if (keepDims) {
                out[k++] = 1;
            }
        }
        return out;
    }

    public static String str(int[] shape) {
        return Arrays.toString(shape);
    }
}
