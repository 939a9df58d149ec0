package io.sparkgrad.kernel;

import io.sparkgrad.DType;
import io.sparkgrad.Tensor;
import io.sparkgrad.shape.NdIndex;
import io.sparkgrad.shape.Shapes;
import java.util.Arrays;

/**
 * Reductions over axes: {@code sum} and {@code max}. Accumulation is in double, in the input's
 * row-major order, so each output element's sum is the plain sequential one; FLOAT32 results are
 * rounded once at the end. The input is read in rows of its last axis (one {@link NdIndex} step
 * per row), each a plain typed loop; a reduction over the last axis alone (the softmax and loss
 * case) skips the index walk: row {@code r} is {@code x[r*len .. (r+1)*len)}, into output {@code r};
 * so does a sum over the leading axes (the bias gradient), four rows per sweep in the same order.
 */
public final class Reductions {
    private Reductions() {
    }

    /** Sum over {@code axes} (all when empty), accumulated in double. */
    public static Tensor sum(Tensor x, int[] axes, boolean keepDims) {
        return reduce("sum", x, axes, keepDims, false);
    }

    /** Maximum over {@code axes} (all when empty); NaN wins, as in NumPy. */
    public static Tensor max(Tensor x, int[] axes, boolean keepDims) {
        return reduce("max", x, axes, keepDims, true);
    }

    private static Tensor reduce(String name, Tensor x, int[] axesIn, boolean keepDims, boolean isMax) {
        Elementwise.requireFloating(name, x);
        int[] shape = x.shape();
        int[] axes = Shapes.axes(axesIn, shape.length, name);
        int[] kept = Shapes.reduced(shape, axes, true);
        int[] outShape = Shapes.reduced(shape, axes, keepDims);
        int n = x.size();
        int on = Shapes.size(kept);
        if (isMax && n == 0) {
            throw new IllegalArgumentException("max: cannot reduce an empty tensor of shape " + Shapes.str(shape));
        }
        if (!isMax && on == 1 && x.dtype() == DType.FLOAT32) { // a full sum: one pass, in order
            float[] f = x.floatStorage();
            double s = 0;
            for (int i = 0; i < n; i++) {
                s += f[i];
            }
            return Tensor.wrap(new float[] {(float) s}, outShape);
        }
        double[] acc = new double[on];
        if (isMax) {
            Arrays.fill(acc, Double.NEGATIVE_INFINITY);
        }
        if (axes.length == 1 && axes[0] == shape.length - 1) {
            lastAxis(x, acc, shape[shape.length - 1], isMax);
            return finish(x, acc, outShape);
        }
        if (!isMax && on > 0 && leading(axes)) { // the bias gradient's sum over the batch
            firstAxes(x, acc, n / on);
            return finish(x, acc, outShape);
        }
        // the output's strides in the input's index space: 0 along the reduced axes
        NdIndex it = NdIndex.rows(shape, Shapes.broadcastStrides(kept, shape));
        int len = it.rowLength();
        int as = it.rowStride(0);
        float[] xf = x.floatStorage();
        double[] xd = x.doubleStorage();
        for (int i = 0; !it.done(); i += len, it.next()) {
            int ao = it.offset(0);
            if (isMax && xd != null) {
                maxRow(xd, i, acc, ao, as, len);
            } else if (isMax) {
                maxRow(xf, i, acc, ao, as, len);
            } else if (xd != null) {
                sumRow(xd, i, acc, ao, as, len);
            } else {
                sumRow(xf, i, acc, ao, as, len);
            }
        }
        return finish(x, acc, outShape);
    }

    /** {@code acc[r] = sum or max of x[r*len .. (r+1)*len)}: the last-axis reduction, no index walk. */
    private static void lastAxis(Tensor x, double[] acc, int len, boolean isMax) {
        float[] xf = x.floatStorage();
        double[] xd = x.doubleStorage();
        for (int r = 0; r < acc.length; r++) {
            int at = r * len;
            if (isMax && xd != null) {
                maxRow(xd, at, acc, r, 0, len);
            } else if (isMax) {
                maxRow(xf, at, acc, r, 0, len);
            } else if (xd != null) {
                sumRow(xd, at, acc, r, 0, len);
            } else {
                sumRow(xf, at, acc, r, 0, len);
            }
        }
    }

    /** Whether {@code axes} (sorted, distinct) are {@code 0, 1, ..., k-1}. */
    private static boolean leading(int[] axes) {
        for (int i = 0; i < axes.length; i++) {
            if (axes[i] != i) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code acc[j] = x[j] + x[len + j] + ... }: a sum over the leading axes, {@code x} read as
     * {@code rows} rows of {@code acc.length}. Four rows per sweep, each column's adds still in row
     * order ({@code (((acc + x0) + x1) + x2) + x3}), so the sums are bitwise the row-at-a-time
     * ones with a quarter of the loads and stores of {@code acc}. Measured on [256, 512]
     * ({@code ElementwiseBench.sumAxis0}): BENCHMARKS.md.
     */
    private static void firstAxes(Tensor x, double[] acc, int rows) {
        float[] xf = x.floatStorage();
        double[] xd = x.doubleStorage();
        int len = acc.length;
        int r = 0;
        for (; r + 4 <= rows; r += 4) {
            int a = r * len;
            int b = a + len;
            int c = b + len;
            int d = c + len;
            if (xd != null) {
                for (int j = 0; j < len; j++) {
                    acc[j] = (((acc[j] + xd[a + j]) + xd[b + j]) + xd[c + j]) + xd[d + j];
                }
            } else {
                for (int j = 0; j < len; j++) {
                    acc[j] = (((acc[j] + xf[a + j]) + xf[b + j]) + xf[c + j]) + xf[d + j];
                }
            }
        }
        for (; r < rows; r++) {
            if (xd != null) {
                sumRow(xd, r * len, acc, 0, 1, len);
            } else {
                sumRow(xf, r * len, acc, 0, 1, len);
            }
        }
    }

    private static Tensor finish(Tensor x, double[] acc, int[] outShape) {
        if (x.dtype() == DType.FLOAT64) {
            return Tensor.wrap(acc, outShape);
        }
        float[] o = new float[acc.length];
        for (int i = 0; i < acc.length; i++) {
            o[i] = (float) acc[i];
        }
        return Tensor.wrap(o, outShape);
    }

    /**
     * {@code acc[ao + j*as] += x[xo + j]}, where {@code as}, the output's stride along the last
     * axis, is 0 when that axis is reduced and else 1 (the last axis is contiguous in the output).
     */
    private static void sumRow(float[] x, int xo, double[] acc, int ao, int as, int len) {
        if (as == 0) {
            double s = acc[ao];
            for (int j = 0; j < len; j++) {
                s += x[xo + j];
            }
            acc[ao] = s;
        } else {
            for (int j = 0; j < len; j++) {
                acc[ao + j] += x[xo + j];
            }
        }
    }

    /** Double-precision {@link #sumRow(float[], int, double[], int, int, int)}. */
    private static void sumRow(double[] x, int xo, double[] acc, int ao, int as, int len) {
        if (as == 0) {
            double s = acc[ao];
            for (int j = 0; j < len; j++) {
                s += x[xo + j];
            }
            acc[ao] = s;
        } else {
            for (int j = 0; j < len; j++) {
                acc[ao + j] += x[xo + j];
            }
        }
    }

    /** {@code acc[ao + j*as] = max(acc[ao + j*as], x[xo + j])}, NaN winning. */
    private static void maxRow(float[] x, int xo, double[] acc, int ao, int as, int len) {
        for (int j = 0; j < len; j++) {
            double v = x[xo + j];
            double cur = acc[ao + j * as];
            acc[ao + j * as] = (v > cur || Double.isNaN(v)) && !Double.isNaN(cur) ? v : cur;
        }
    }

    /** Double-precision {@link #maxRow(float[], int, double[], int, int, int)}. */
    private static void maxRow(double[] x, int xo, double[] acc, int ao, int as, int len) {
        for (int j = 0; j < len; j++) {
            double v = x[xo + j];
            double cur = acc[ao + j * as];
            acc[ao + j * as] = (v > cur || Double.isNaN(v)) && !Double.isNaN(cur) ? v : cur;
        }
    }
}
