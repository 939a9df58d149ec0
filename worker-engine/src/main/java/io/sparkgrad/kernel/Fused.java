package io.sparkgrad.kernel;

import io.sparkgrad.DType;
import io.sparkgrad.Tensor;
import io.sparkgrad.shape.Shapes;
import java.util.Arrays;

/**
 * Fused kernels: activations and losses that would otherwise take one pass over memory (and one
 * temporary tensor) per elementary op, each computed here in one or two passes with no Bool
 * mask. Their gradient rules are in {@code io.sparkgrad.ops.Primitives}.
 *
 * <p>Where the composite they replace is cheap to reproduce, the FLOAT32 result is rounded
 * exactly as the composite rounded it (each elementary op rounded to float), so values are
 * bitwise those of the composite: relu, reluGrad, sigmoid, logSoftmax and the sparse softmax
 * cross-entropy. bceWithLogits is computed in double and rounded once, with {@code log1p}
 * (Goldberg's JNI-free form for FLOAT32, {@link #log1pUnit}).
 */
public final class Fused {
    private Fused() {
    }

    /** {@code x * (x > 0 ? 1 : 0)}: max(x, 0) with relu(-0) = -0, negatives to -0 and NaN kept. */
    public static Tensor relu(Tensor x) {
        Elementwise.requireFloating("relu", x);
        return reluGrad("relu", x, x);
    }

    /** {@code g * (x > 0 ? 1 : 0)}, the VJP of relu, for x and g of the same shape and dtype. */
    public static Tensor reluGrad(Tensor x, Tensor g) {
        requireSame("reluGrad", x, g);
        return reluGrad("reluGrad", x, g);
    }

    /**
     * The mask is an int select, {@code (x > 0 ? 1 : 0)}, converted to float and multiplied: the
     * JIT compiles that without a branch, while a float select ({@code ? 1f : 0f}) stays a branch
     * on x86, which mispredicts on half the elements of a pre-activation. Measured on [256, 512]:
     * 226 against 800 us per call ({@code ElementwiseBench.relu}, BENCHMARKS.md).
     */
    private static Tensor reluGrad(String op, Tensor x, Tensor g) {
        int n = x.size();
        if (x.dtype() == DType.FLOAT64) {
            double[] xd = x.doubleStorage();
            double[] gd = g.doubleStorage();
            double[] o = new double[n];
            for (int i = 0; i < n; i++) {
                o[i] = gd[i] * (double) (xd[i] > 0 ? 1 : 0);
            }
            return Tensor.wrap(o, x.shape());
        }
        float[] xf = x.floatStorage();
        float[] gf = g.floatStorage();
        float[] o = new float[n];
        for (int i = 0; i < n; i++) {
            o[i] = gf[i] * (float) (xf[i] > 0 ? 1 : 0);
        }
        return Tensor.wrap(o, x.shape());
    }

    /**
     * {@code 1 / (1 + e^-x)} without overflow: with {@code e = exp(-|x|)},
     * {@code x >= 0 ? 1/(1+e) : e/(1+e)}; FLOAT32 rounds {@code e}, {@code 1+e} and the quotient.
     * The sign picks the numerator by a select rather than a branch around two divisions (random
     * signs mispredict half the time): in isolation 11 against 15 ns per FLOAT32 element, and
     * bitwise the same values ({@code exp(-|x|)} is {@code exp(x >= 0 ? -x : x)} for every x,
     * -0 and NaN included).
     */
    public static Tensor sigmoid(Tensor x) {
        Elementwise.requireFloating("sigmoid", x);
        int n = x.size();
        if (x.dtype() == DType.FLOAT64) {
            double[] xd = x.doubleStorage();
            double[] o = new double[n];
            for (int i = 0; i < n; i++) {
                double v = xd[i];
                double e = Math.exp(-Math.abs(v));
                o[i] = (v >= 0 ? 1 : e) / (e + 1);
            }
            return Tensor.wrap(o, x.shape());
        }
        float[] xf = x.floatStorage();
        float[] o = new float[n];
        for (int i = 0; i < n; i++) {
            float v = xf[i];
            float e = (float) Math.exp(-Math.abs(v));
            o[i] = (v >= 0 ? 1f : e) / (e + 1f);
        }
        return Tensor.wrap(o, x.shape());
    }

    /**
     * Binary cross-entropy on logits, elementwise and stable for any logit:
     * {@code max(x, 0) - x*y + log1p(exp(-|x|))}, in double, rounded once for FLOAT32.
     */
    public static Tensor bceWithLogits(Tensor x, Tensor y) {
        requireSame("bceWithLogits", x, y);
        int n = x.size();
        if (x.dtype() == DType.FLOAT64) {
            double[] xd = x.doubleStorage();
            double[] yd = y.doubleStorage();
            double[] o = new double[n];
            for (int i = 0; i < n; i++) {
                o[i] = bce(xd[i], yd[i], true);
            }
            return Tensor.wrap(o, x.shape());
        }
        float[] xf = x.floatStorage();
        float[] yf = y.floatStorage();
        float[] o = new float[n];
        for (int i = 0; i < n; i++) {
            o[i] = (float) bce(xf[i], yf[i], false);
        }
        return Tensor.wrap(o, x.shape());
    }

    /** The loss of one logit; {@code fdlibm}: {@code Math.log1p} (FLOAT64), else {@link #log1pUnit} (FLOAT32). */
    private static double bce(double x, double y, boolean fdlibm) {
        double e = Math.exp(x >= 0 ? -x : x);
        return (x >= 0 ? x : 0) - x * y + (fdlibm ? Math.log1p(e) : log1pUnit(e));
    }

    /**
     * {@code log(1 + e)} for {@code e} in [0, 1] (and NaN), without a JNI call: on Java 17,
     * {@code Math.log1p} is {@code StrictMath}'s native fdlibm, one JNI transition per element,
     * which was 14% of a logistic regression's gradient pass (JFR). Goldberg's formula
     * {@code e * log(u) / (u - 1)} with {@code u = 1 + e} has a relative error of at most about
     * 5 double ulps (D. Goldberg, "What every computer scientist should know about floating-point
     * arithmetic", ACM Computing Surveys 23(1), 1991, Theorem 4), so a FLOAT32 loss rounded from it
     * is the correctly rounded one but where the double value lies within a few double ulps of a
     * float rounding boundary. FLOAT64 keeps {@code Math.log1p}.
     */
    static double log1pUnit(double e) {
        double u = 1.0 + e;
        return u == 1.0 ? e : Math.log(u) * (e / (u - 1.0));
    }

    /**
     * {@code x - m - log(sum(exp(x - m)))} along {@code axis}, with {@code m} the maximum along
     * it (NaN wins). The sum is accumulated in double in index order; FLOAT32 rounds
     * {@code x - m}, each {@code exp}, the sum, its log and the difference, as the composite did.
     */
    public static Tensor logSoftmax(Tensor x, int axisIn) {
        Elementwise.requireFloating("logSoftmax", x);
        int[] shape = x.shape();
        int axis = Shapes.axis(axisIn, shape.length, "logSoftmax");
        int len = shape[axis];
        int inner = 1;
        for (int i = axis + 1; i < shape.length; i++) {
            inner *= shape[i];
        }
        int n = x.size();
        if (len == 0 || n == 0) {
            throw new IllegalArgumentException("logSoftmax: cannot reduce an empty axis " + axis + " of shape "
                    + Shapes.str(shape));
        }
        int outer = n / (len * inner);
        if (x.dtype() == DType.FLOAT64) {
            double[] o = x.doubleStorage().clone();
            for (int b = 0; b < outer; b++) {
                for (int i = 0; i < inner; i++) {
                    logSoftmaxLine(o, b * len * inner + i, inner, len);
                }
            }
            return Tensor.wrap(o, shape);
        }
        float[] o = x.floatStorage().clone();
        for (int b = 0; b < outer; b++) {
            for (int i = 0; i < inner; i++) {
                logSoftmaxLine(o, b * len * inner + i, inner, len);
            }
        }
        return Tensor.wrap(o, shape);
    }

    /** In place over {@code v[at + k*stride]}, {@code k < len}. */
    private static void logSoftmaxLine(float[] v, int at, int stride, int len) {
        float m = maxOf(v, at, stride, len);
        double s = 0;
        for (int k = 0, j = at; k < len; k++, j += stride) {
            float sh = v[j] - m;
            v[j] = sh;
            s += (float) Math.exp(sh);
        }
        float l = (float) Math.log((float) s);
        for (int k = 0, j = at; k < len; k++, j += stride) {
            v[j] = v[j] - l;
        }
    }

    private static void logSoftmaxLine(double[] v, int at, int stride, int len) {
        double m = Double.NEGATIVE_INFINITY;
        for (int k = 0, j = at; k < len; k++, j += stride) {
            m = maxNan(m, v[j]);
        }
        double s = 0;
        for (int k = 0, j = at; k < len; k++, j += stride) {
            double sh = v[j] - m;
            v[j] = sh;
            s += Math.exp(sh);
        }
        double l = Math.log(s);
        for (int k = 0, j = at; k < len; k++, j += stride) {
            v[j] = v[j] - l;
        }
    }

    private static float maxOf(float[] v, int at, int stride, int len) {
        double m = Double.NEGATIVE_INFINITY;
        for (int k = 0, j = at; k < len; k++, j += stride) {
            m = maxNan(m, v[j]);
        }
        return (float) m;
    }

    /** The larger of the two, NaN winning (as {@link Reductions#max}). */
    private static double maxNan(double cur, double v) {
        return (v > cur || Double.isNaN(v)) && !Double.isNaN(cur) ? v : cur;
    }

    /**
     * Per-row sparse softmax cross-entropy: {@code out[i] = -logSoftmax(logits[i])[label[i]]}
     * for logits [N, C] and labels [N] holding integers in [0, C), bitwise as the composite
     * {@code -gather(logSoftmax(logits, 1), labels)}.
     */
    public static Tensor softmaxCrossEntropy(Tensor logits, Tensor labels) {
        Elementwise.requireFloating("softmaxCrossEntropy", logits);
        int[] idx = Movement.rowIndices("softmaxCrossEntropy", logits, labels);
        int rows = idx.length;
        int c = logits.shape()[1];
        if (logits.dtype() == DType.FLOAT64) {
            double[] xd = logits.doubleStorage();
            double[] row = new double[c];
            double[] o = new double[rows];
            for (int r = 0; r < rows; r++) {
                System.arraycopy(xd, r * c, row, 0, c);
                logSoftmaxLine(row, 0, 1, c);
                o[r] = -row[idx[r]];
            }
            return Tensor.wrap(o, rows);
        }
        float[] xf = logits.floatStorage();
        float[] row = new float[c];
        float[] o = new float[rows];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(xf, r * c, row, 0, c);
            logSoftmaxLine(row, 0, 1, c);
            o[r] = -row[idx[r]];
        }
        return Tensor.wrap(o, rows);
    }

    private static void requireSame(String op, Tensor a, Tensor b) {
        Elementwise.requireFloating(op, a);
        if (a.dtype() != b.dtype() || !Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalArgumentException(op + ": needs two tensors of the same shape and dtype, got "
                    + a.dtype() + " " + Shapes.str(a.shape()) + " and " + b.dtype() + " " + Shapes.str(b.shape()));
        }
    }
}
