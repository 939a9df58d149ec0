package io.sparkgrad.ops;

import io.sparkgrad.DType;
import io.sparkgrad.Tensor;
import io.sparkgrad.kernel.Movement;
import io.sparkgrad.shape.Shapes;
import java.util.Arrays;

/**
 * The op functions, MindSpore's {@code ops} namespace: {@code import static
 * io.sparkgrad.ops.Ops.*}. Each is either a {@link Primitives} entry or a composite of them;
 * composites need no gradient rule of their own.
 *
 * <p>One file on purpose, though it is past 400 lines: it is the one namespace users import
 * statically, as MindSpore's {@code ops}, and every method is a one-line primitive application or
 * a short composite. Splitting it would make users import several classes for one namespace.
 *
 * <p>Binary arithmetic follows NumPy broadcasting. Both operands must have the same dtype; a
 * Java {@code double} operand becomes a scalar of the other operand's dtype. Every error names the
 * op and the shapes involved and is thrown at the call, before any kernel runs.
 */
public final class Ops {
    private Ops() {
    }

    // ---- arithmetic ---------------------------------------------------------------------------

    public static Tensor add(Tensor a, Tensor b) {
        return Primitives.ADD.apply(a, b);
    }

    public static Tensor add(Tensor a, double b) {
        return add(a, scalarLike(b, a));
    }

    public static Tensor add(double a, Tensor b) {
        return add(scalarLike(a, b), b);
    }

    /** {@code a - b = a + (-b)}: exact, since negation is. */
    public static Tensor sub(Tensor a, Tensor b) {
        return Primitives.SUB.apply(a, b);
    }

    public static Tensor sub(Tensor a, double b) {
        return sub(a, scalarLike(b, a));
    }

    public static Tensor sub(double a, Tensor b) {
        return sub(scalarLike(a, b), b);
    }

    public static Tensor mul(Tensor a, Tensor b) {
        return Primitives.MUL.apply(a, b);
    }

    public static Tensor mul(Tensor a, double b) {
        return mul(a, scalarLike(b, a));
    }

    public static Tensor mul(double a, Tensor b) {
        return mul(scalarLike(a, b), b);
    }

    public static Tensor div(Tensor a, Tensor b) {
        return Primitives.DIV.apply(a, b);
    }

    public static Tensor div(Tensor a, double b) {
        return div(a, scalarLike(b, a));
    }

    public static Tensor div(double a, Tensor b) {
        return div(scalarLike(a, b), b);
    }

    public static Tensor neg(Tensor a) {
        return Primitives.NEG.apply(a);
    }

    public static Tensor pow(Tensor a, Tensor b) {
        return Primitives.POW.apply(a, b);
    }

    public static Tensor pow(Tensor a, double b) {
        return pow(a, scalarLike(b, a));
    }

    public static Tensor square(Tensor a) {
        return mul(a, a);
    }

    public static Tensor exp(Tensor a) {
        return Primitives.EXP.apply(a);
    }

    public static Tensor log(Tensor a) {
        return Primitives.LOG.apply(a);
    }

    public static Tensor sqrt(Tensor a) {
        return Primitives.SQRT.apply(a);
    }

    public static Tensor abs(Tensor a) {
        return Primitives.ABS.apply(a);
    }

    // ---- activations --------------------------------------------------------------------------

    public static Tensor tanh(Tensor a) {
        return Primitives.TANH.apply(a);
    }

    /**
     * {@code 1 / (1 + e^-x)}, computed without overflow for any x (one fused primitive): with
     * {@code e = exp(-|x|)}, {@code x >= 0 ? 1/(1+e) : e/(1+e)}. Its derivative is
     * {@code sigmoid(x) sigmoid(-x)}, finite everywhere and 1/4 at 0.
     */
    public static Tensor sigmoid(Tensor x) {
        return Primitives.SIGMOID.apply(x);
    }

    /** {@code max(x, 0)}, with gradient 0 at 0: {@code x * (x > 0)}, one fused primitive. */
    public static Tensor relu(Tensor x) {
        return Primitives.RELU.apply(x);
    }

    public static Tensor maximum(Tensor a, Tensor b) {
        return Primitives.MAXIMUM.apply(a, b);
    }

    public static Tensor maximum(Tensor a, double b) {
        return maximum(a, scalarLike(b, a));
    }

    public static Tensor minimum(Tensor a, Tensor b) {
        return Primitives.MINIMUM.apply(a, b);
    }

    public static Tensor minimum(Tensor a, double b) {
        return minimum(a, scalarLike(b, a));
    }

    // ---- products -----------------------------------------------------------------------------

    /** Matrix product over the last two axes (2-D or batched, batch axes broadcast). */
    public static Tensor matmul(Tensor a, Tensor b) {
        return matmul(a, b, false, false);
    }

    /** {@code op(a) @ op(b)}, where op transposes the last two axes when its flag is set. */
    public static Tensor matmul(Tensor a, Tensor b, boolean transA, boolean transB) {
        return Primitives.matmul(transA, transB).apply(a, b);
    }

    /** The inner product of two vectors of the same length: {@code sum(a * b)}. */
    public static Tensor dot(Tensor a, Tensor b) {
        if (a.rank() != 1 || b.rank() != 1 || a.shape(0) != b.shape(0)) {
            throw new IllegalArgumentException("dot: needs two vectors of the same length, got "
                    + Shapes.str(a.shape()) + " and " + Shapes.str(b.shape()));
        }
        return sum(mul(a, b));
    }

    // ---- reductions ---------------------------------------------------------------------------

    /** The sum of all elements, a scalar. */
    public static Tensor sum(Tensor x) {
        return sum(x, false);
    }

    /** The sum over {@code axes} (all when none are given). */
    public static Tensor sum(Tensor x, boolean keepDims, int... axes) {
        return Primitives.sum(axes.clone(), keepDims).apply(x);
    }

    public static Tensor mean(Tensor x) {
        return mean(x, false);
    }

    /** The mean over {@code axes} (all when none are given). */
    public static Tensor mean(Tensor x, boolean keepDims, int... axes) {
        int[] ax = Shapes.axes(axes, x.rank(), "mean");
        long count = 1;
        for (int a : ax) {
            count *= x.shape(a);
        }
        return div(sum(x, keepDims, axes), (double) count);
    }

    public static Tensor max(Tensor x) {
        return max(x, false);
    }

    /** The maximum over {@code axes} (all when none are given). */
    public static Tensor max(Tensor x, boolean keepDims, int... axes) {
        return Primitives.max(axes.clone(), keepDims).apply(x);
    }

    /** The Euclidean (Frobenius) norm of all elements: {@code sqrt(sum(x*x))}. */
    public static Tensor norm(Tensor x) {
        return sqrt(sum(mul(x, x)));
    }

    // ---- shape --------------------------------------------------------------------------------

    public static Tensor reshape(Tensor x, int... shape) {
        return Primitives.reshape(shape.clone()).apply(x);
    }

    /** Permutes the axes: output axis i is input axis {@code perm[i]}. */
    public static Tensor transpose(Tensor x, int... perm) {
        return Primitives.transpose(perm.clone()).apply(x);
    }

    /** Swaps the last two axes. */
    public static Tensor t(Tensor x) {
        int r = x.rank();
        if (r < 2) {
            throw new IllegalArgumentException("t: needs rank >= 2, got shape " + Shapes.str(x.shape()));
        }
        int[] perm = new int[r];
        for (int i = 0; i < r; i++) {
            perm[i] = i;
        }
        perm[r - 2] = r - 1;
        perm[r - 1] = r - 2;
        return transpose(x, perm);
    }

    public static Tensor broadcastTo(Tensor x, int... shape) {
        if (Arrays.equals(x.shape(), shape)) {
            return x;
        }
        return Primitives.broadcastTo(shape.clone()).apply(x);
    }

    /**
     * Sums {@code x} down to {@code shape}, the inverse of broadcasting: used by the backward pass to
     * return a broadcast gradient to its input's shape.
     */
    public static Tensor sumToShape(Tensor x, int... shape) {
        int[] xs = x.shape();
        if (Arrays.equals(xs, shape)) {
            return x;
        }
        if (!Shapes.broadcastsTo(shape, xs)) {
            throw new IllegalArgumentException("sumToShape: " + Shapes.str(xs) + " is not a broadcast of "
                    + Shapes.str(shape));
        }
        int lead = xs.length - shape.length;
        int[] axes = new int[xs.length];
        int k = 0;
        for (int i = 0; i < xs.length; i++) {
            if (i < lead || (shape[i - lead] == 1 && xs[i] != 1)) {
                axes[k++] = i;
            }
        }
        Tensor s = k == 0 ? x : sum(x, true, Arrays.copyOf(axes, k));
        return reshape(s, shape);
    }

    /** The block starting at {@code begin} of extent {@code size} along every axis. */
    public static Tensor slice(Tensor x, int[] begin, int[] size) {
        return Primitives.slice(begin.clone(), size.clone()).apply(x);
    }

    /** Rows {@code [from, to)} along axis 0. */
    public static Tensor rows(Tensor x, int from, int to) {
        int[] begin = new int[x.rank()];
        int[] size = x.shape();
        begin[0] = from;
        size[0] = to - from;
        return slice(x, begin, size);
    }

    public static Tensor concat(int axis, Tensor... xs) {
        return Primitives.concat(axis).apply(xs);
    }

    /** Joins tensors of the same shape along a new axis. */
    public static Tensor stack(int axis, Tensor... xs) {
        if (xs.length == 0) {
            throw new IllegalArgumentException("stack: no tensors to join");
        }
        int ax = Shapes.axis(axis, xs[0].rank() + 1, "stack");
        Tensor[] expanded = new Tensor[xs.length];
        for (int i = 0; i < xs.length; i++) {
            if (!Arrays.equals(xs[i].shape(), xs[0].shape())) {
                throw new IllegalArgumentException("stack: shapes " + Shapes.str(xs[0].shape()) + " and "
                        + Shapes.str(xs[i].shape()) + " differ");
            }
            expanded[i] = expandDims(xs[i], ax);
        }
        return concat(ax, expanded);
    }

    /** Inserts an axis of length 1 at {@code axis}. */
    public static Tensor expandDims(Tensor x, int axis) {
        int ax = Shapes.axis(axis, x.rank() + 1, "expandDims");
        int[] s = x.shape();
        int[] out = new int[s.length + 1];
        for (int i = 0, j = 0; i < out.length; i++) {
            out[i] = i == ax ? 1 : s[j++];
        }
        return reshape(x, out);
    }

    // ---- selection ----------------------------------------------------------------------------

    /** {@code out[i] = x[i, index[i]]} for x of shape [N, C]; index holds integers in [0, C). */
    public static Tensor gather(Tensor x, Tensor index) {
        return Primitives.GATHER.apply(x, index);
    }

    /** {@code cond ? a : b} elementwise; cond is Bool. */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        return Primitives.WHERE.apply(cond, a, b);
    }

    /** Rows of one-hot vectors for integer labels: a constant of shape [N, classes]. */
    public static Tensor oneHot(Tensor index, int classes, DType dtype) {
        return Movement.oneHot(index, classes, dtype);
    }

    // ---- comparisons (Bool results, not differentiable) ----------------------------------------

    public static Tensor eq(Tensor a, Tensor b) {
        return Primitives.EQ.apply(a, b);
    }

    public static Tensor eq(Tensor a, double b) {
        return eq(a, scalarLike(b, a));
    }

    public static Tensor ne(Tensor a, Tensor b) {
        return Primitives.NE.apply(a, b);
    }

    public static Tensor lt(Tensor a, Tensor b) {
        return Primitives.LT.apply(a, b);
    }

    public static Tensor lt(Tensor a, double b) {
        return lt(a, scalarLike(b, a));
    }

    public static Tensor le(Tensor a, Tensor b) {
        return Primitives.LE.apply(a, b);
    }

    public static Tensor gt(Tensor a, Tensor b) {
        return Primitives.GT.apply(a, b);
    }

    public static Tensor gt(Tensor a, double b) {
        return gt(a, scalarLike(b, a));
    }

    public static Tensor ge(Tensor a, Tensor b) {
        return Primitives.GE.apply(a, b);
    }

    public static Tensor ge(Tensor a, double b) {
        return ge(a, scalarLike(b, a));
    }

    // ---- softmax and losses -----------------------------------------------------------------

    /**
     * {@code x - logsumexp(x)} along {@code axis}, stable (the max is subtracted first), one fused
     * primitive with the rule {@code g - softmax(x) sum(g)}.
     */
    public static Tensor logSoftmax(Tensor x, int axis) {
        return Primitives.logSoftmax(axis).apply(x);
    }

    public static Tensor softmax(Tensor x, int axis) {
        return exp(logSoftmax(x, axis));
    }

    /** How a loss combines its per-sample values. */
    public enum Reduction { MEAN, SUM, NONE }

    /** Mean squared error {@code mean((pred - target)^2)}. */
    public static Tensor mseLoss(Tensor pred, Tensor target) {
        return mseLoss(pred, target, Reduction.MEAN);
    }

    public static Tensor mseLoss(Tensor pred, Tensor target, Reduction reduction) {
        requireSameShape("mseLoss", pred, target);
        return reduce(square(sub(pred, target)), reduction);
    }

    /**
     * Softmax cross-entropy with integer labels: {@code -log softmax(logits)[i, label[i]]}, for
     * logits [N, C] and labels [N] holding integers in [0, C).
     */
    public static Tensor softmaxCrossEntropy(Tensor logits, Tensor labels) {
        return softmaxCrossEntropy(logits, labels, Reduction.MEAN);
    }

    public static Tensor softmaxCrossEntropy(Tensor logits, Tensor labels, Reduction reduction) {
        if (logits.rank() != 2 || labels.rank() != 1 || labels.shape(0) != logits.shape(0)) {
            throw new IllegalArgumentException("softmaxCrossEntropy: needs logits [N, C] and labels [N], got "
                    + Shapes.str(logits.shape()) + " and " + Shapes.str(labels.shape()));
        }
        return reduce(Primitives.SOFTMAX_CROSS_ENTROPY.apply(logits, labels), reduction);
    }

    /**
     * Binary cross-entropy on logits, stable for any logit, one fused primitive:
     * {@code max(x, 0) - x*y + log1p(exp(-|x|))}, with derivative {@code sigmoid(x) - y} in x
     * (1/2 - y at 0) and {@code -x} in y.
     */
    public static Tensor bceWithLogits(Tensor logits, Tensor targets) {
        return bceWithLogits(logits, targets, Reduction.MEAN);
    }

    public static Tensor bceWithLogits(Tensor logits, Tensor targets, Reduction reduction) {
        requireSameShape("bceWithLogits", logits, targets);
        return reduce(Primitives.BCE_WITH_LOGITS.apply(logits, targets), reduction);
    }

    private static Tensor reduce(Tensor perSample, Reduction r) {
        switch (r) {
            case MEAN:
                return mean(perSample);
            case SUM:
                return sum(perSample);
            default:
                return perSample;
        }
    }

    // ---- graph control ----------------------------------------------------------------------

    /** {@code ops.stop_gradient}: the same values, acting as a constant in the backward pass. */
    public static Tensor stopGradient(Tensor x) {
        return Autodiff.detach(x);
    }

    /**
     * True when gradients can flow back through {@code x}: it was computed from a watched input
     * or a parameter with {@code requiresGrad}, inside a gradient call, or it is such a
     * parameter.
     */
    public static boolean isTracked(Tensor x) {
        return Autodiff.nodeOf(x) != null;
    }

    /**
     * Converts to another dtype; differentiable between floating types (a cast to Bool is a
     * constant, as every non-floating output is).
     */
    public static Tensor cast(Tensor x, DType to) {
        if (x.dtype() == to) {
            return x;
        }
        return Primitives.cast(to).apply(x);
    }

    // ---- helpers --------------------------------------------------------------------------------

    private static Tensor scalarLike(double v, Tensor like) {
        return Tensor.scalar(v, like.dtype() == DType.BOOL ? DType.FLOAT32 : like.dtype());
    }

    private static void requireSameShape(String op, Tensor a, Tensor b) {
        if (!Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalArgumentException(op + ": prediction " + Shapes.str(a.shape())
                    + " and target " + Shapes.str(b.shape()) + " must have the same shape");
        }
    }
}
