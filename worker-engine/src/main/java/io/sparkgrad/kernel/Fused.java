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
        return masked(x, x, false);
    }

    /** {@code g * (x > 0 ? 1 : 0)}, the VJP of relu, for x and g of the same shape and dtype. */
    public static Tensor reluGrad(Tensor x, Tensor g) {
        requireSame("reluGrad", x, g);
        return masked(x, g, true);
    }

    /** 2^127, the largest power of two a float holds: twice it takes the least subnormal to 2^105. */
    private static final float BIG_F = 0x1p127f;
    /** 2^1023: twice it takes the least double subnormal (2^-1074) to 2^972. */
    private static final double BIG_D = 0x1p1023;

    /**
     * {@code v * (x > 0 ? 1 : 0)}, with the mask computed as {@code min(max(x * 2^127 * 2^127, 0), 1)}:
     * every x > 0 scales to at least 1 (the least subnormal to 2^105), every x <= 0 (-0 included:
     * Java's max(-0, 0) is +0) to a non-positive value, so the mask is exactly +1 or +0, and the
     * product rounds as the composite's {@code v * cast(x > 0)} does. C2 vectorises min and max,
     * where it keeps an int select ({@code x > 0 ? 1 : 0}) scalar: measured on [256, 512] (JMH,
     * {@code ElementwiseBench.relu} and {@code reluGrad}) in BENCHMARKS.md.
     *
     * <p>Only NaN differs: its mask is NaN, where the comparison gives 0. relu keeps NaN either way
     * (NaN times anything). reluGrad must give {@code g * 0} there (MindSpore's {@code dy * (y > 0)}),
     * so it first sums {@code x * 0} ({@link #finite}), and where that finds a NaN or an infinity
     * in x it takes the select loop instead, the int select ({@code (float) (x > 0 ? 1 : 0)}) that
     * was the only loop until 2026-12-08 (226 against 800 us per call for a float select
     * {@code ? 1f : 0f}, which x86 compiles to a branch that mispredicts on random signs).
     */
    private static Tensor masked(Tensor x, Tensor v, boolean nanMasksToZero) {
        int n = x.size();
        if (x.dtype() == DType.FLOAT64) {
            double[] xd = x.doubleStorage();
            double[] vd = v.doubleStorage();
            double[] o = new double[n];
            if (nanMasksToZero && !finite(xd)) {
                for (int i = 0; i < n; i++) {
                    o[i] = vd[i] * (double) (xd[i] > 0 ? 1 : 0);
                }
            } else {
                for (int i = 0; i < n; i++) {
                    o[i] = vd[i] * Math.min(Math.max(xd[i] * BIG_D * BIG_D, 0.0), 1.0);
                }
            }
            return Tensor.wrap(o, x.shape());
        }
        float[] xf = x.floatStorage();
        float[] vf = v.floatStorage();
        float[] o = new float[n];
        if (nanMasksToZero && !finite(xf)) {
            for (int i = 0; i < n; i++) {
                o[i] = vf[i] * (float) (xf[i] > 0 ? 1 : 0);
            }
        } else {
            for (int i = 0; i < n; i++) {
                o[i] = vf[i] * Math.min(Math.max(xf[i] * BIG_F * BIG_F, 0f), 1f);
            }
        }
        return Tensor.wrap(o, x.shape());
    }

    /**
     * Whether every element is finite: the sum of {@code x * 0}, which is NaN exactly when some x
     * is NaN or infinite (an infinity only sends reluGrad to its exact select loop). Eight
     * independent sums, so the adds pipeline (about a third of the select loop's time).
     */
    static boolean finite(float[] x) {
        float a0 = 0;
        float a1 = 0;
        float a2 = 0;
        float a3 = 0;
        float a4 = 0;
        float a5 = 0;
        float a6 = 0;
        float a7 = 0;
        int i = 0;
        for (int end = x.length - 7; i < end; i += 8) {
            a0 += x[i] * 0f;
            a1 += x[i + 1] * 0f;
            a2 += x[i + 2] * 0f;
            a3 += x[i + 3] * 0f;
            a4 += x[i + 4] * 0f;
            a5 += x[i + 5] * 0f;
            a6 += x[i + 6] * 0f;
            a7 += x[i + 7] * 0f;
        }
        for (; i < x.length; i++) {
            a0 += x[i] * 0f;
        }
        return !Float.isNaN(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7);
    }

    /** Double-precision {@link #finite(float[])}. */
    static boolean finite(double[] x) {
        double a0 = 0;
        double a1 = 0;
        double a2 = 0;
        double a3 = 0;
        double a4 = 0;
        double a5 = 0;
        double a6 = 0;
        double a7 = 0;
        int i = 0;
        for (int end = x.length - 7; i < end; i += 8) {
            a0 += x[i] * 0.0;
            a1 += x[i + 1] * 0.0;
            a2 += x[i + 2] * 0.0;
            a3 += x[i + 3] * 0.0;
            a4 += x[i + 4] * 0.0;
            a5 += x[i + 5] * 0.0;
            a6 += x[i + 6] * 0.0;
            a7 += x[i + 7] * 0.0;
        }
        for (; i < x.length; i++) {
            a0 += x[i] * 0.0;
        }
        return !Double.isNaN(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7);
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
