package io.sparkgrad.ops;

import static io.sparkgrad.ops.Ops.div;
import static io.sparkgrad.ops.Ops.mul;

import io.sparkgrad.DType;
import io.sparkgrad.Tensor;
import io.sparkgrad.kernel.Elementwise;
import io.sparkgrad.kernel.Elementwise.Binary;
import io.sparkgrad.kernel.Elementwise.Unary;
import io.sparkgrad.kernel.Fused;
import io.sparkgrad.kernel.MatMul;
import io.sparkgrad.kernel.Movement;
import io.sparkgrad.kernel.Reductions;
import io.sparkgrad.shape.Shapes;
import java.util.List;

/**
 * The primitive registry: every op the engine differentiates, each defined once with its forward
 * kernel and its VJP rule side by side (in the manner of PyTorch's {@code derivatives.yaml} and
 * JAX's {@code defjvp} tables). The set is deliberately small; {@link Ops} builds everything else
 * (sub, softmax, mean, ...) from these. A few primitives are fusions (relu, sigmoid, logSoftmax and
 * the two cross-entropies): one kernel pass where the composite took one pass per elementary op.
 *
 * <p>Rules are written in {@link Ops} calls, so gradients of gradients work without extra code.
 * A rule may return a cotangent shaped like the broadcast output: the backward pass
 * ({@link Autodiff}) sums it back.
 * Masks inside rules (for maximum, max, abs, where) are constants: their derivative is zero
 * almost everywhere.
 *
 * <p>Notation below: {@code g} is the output cotangent, {@code a, b} the inputs, {@code y} the
 * output.
 */
public final class Primitives {
    private Primitives() {
    }

    // ---- elementwise binary (broadcasting) --------------------------------------------------

    /** {@code y = a + b}; {@code da = g, db = g}. */
    public static final Primitive ADD = Primitive.of("add",
            in -> Elementwise.binary(Binary.ADD, in[0], in[1]),
            (g, in, y, n) -> new Tensor[] {g, g});

    /**
     * {@code y = a - b}; {@code da = g, db = -g}. A primitive rather than {@code a + (-b)} (the
     * same value in IEEE arithmetic, signed zeros included; only a NaN's sign bit may differ) so
     * that it is one pass over memory, not two: {@code sigmoid(x) - t} in binary cross-entropy's
     * VJP, the residual of the squared error, tanh's and logSoftmax's VJPs.
     */
    public static final Primitive SUB = Primitive.of("sub",
            in -> Elementwise.binary(Binary.SUB, in[0], in[1]),
            (g, in, y, n) -> new Tensor[] {n[0] ? g : null, n[1] ? Ops.neg(g) : null});

    /** {@code y = a * b}; {@code da = g b, db = g a}. */
    public static final Primitive MUL = Primitive.of("mul",
            in -> Elementwise.binary(Binary.MUL, in[0], in[1]),
            (g, in, y, n) -> new Tensor[] {n[0] ? mul(g, in[1]) : null, n[1] ? mul(g, in[0]) : null});

    /**
     * {@code y = a / b}; {@code da = g / b, db = -g y / b}. A primitive rather than
     * {@code a * (1/b)} so that division is correctly rounded ({@code (a*4)/a == 4} exactly).
     */
    public static final Primitive DIV = Primitive.of("div",
            in -> Elementwise.binary(Binary.DIV, in[0], in[1]),
            (g, in, y, n) -> new Tensor[] {
                n[0] ? div(g, in[1]) : null,
                n[1] ? Ops.neg(div(mul(g, y), in[1])) : null});

    /** {@code y = a ^ b}; {@code da = g b a^(b-1), db = g y ln a}. */
    public static final Primitive POW = Primitive.of("pow",
            in -> Elementwise.binary(Binary.POW, in[0], in[1]),
            (g, in, y, n) -> new Tensor[] {
                n[0] ? mul(g, mul(in[1], Ops.pow(in[0], Ops.sub(in[1], 1)))) : null,
                n[1] ? mul(g, mul(y, Ops.log(in[0]))) : null});

    /** {@code y = max(a, b)}; g goes to the larger input, split evenly on ties. */
    public static final Primitive MAXIMUM = Primitive.of("maximum",
            in -> Elementwise.binary(Binary.MAXIMUM, in[0], in[1]),
            (g, in, y, n) -> {
                Tensor wa = tieMask(in[0], in[1]);
                return new Tensor[] {n[0] ? mul(g, wa) : null, n[1] ? mul(g, Ops.sub(1, wa)) : null};
            });

    /** {@code y = min(a, b)}; g goes to the smaller input, split evenly on ties. */
    public static final Primitive MINIMUM = Primitive.of("minimum",
            in -> Elementwise.binary(Binary.MINIMUM, in[0], in[1]),
            (g, in, y, n) -> {
                Tensor wa = tieMask(in[1], in[0]);
                return new Tensor[] {n[0] ? mul(g, wa) : null, n[1] ? mul(g, Ops.sub(1, wa)) : null};
            });

    /** 1 where a > b, 0.5 where a == b, else 0: a constant. */
    private static Tensor tieMask(Tensor a, Tensor b) {
        Tensor gt = Elementwise.cast(Elementwise.binary(Binary.GT, a, b), a.dtype());
        Tensor eq = Elementwise.cast(Elementwise.binary(Binary.EQ, a, b), a.dtype());
        return Elementwise.binary(Binary.ADD, gt, Elementwise.binary(Binary.MUL, eq, Tensor.scalar(0.5, a.dtype())));
    }

    // ---- comparisons (Bool, not differentiable) -----------------------------------------------

    public static final Primitive EQ = comparison(Binary.EQ);
    public static final Primitive NE = comparison(Binary.NE);
    public static final Primitive LT = comparison(Binary.LT);
    public static final Primitive LE = comparison(Binary.LE);
    public static final Primitive GT = comparison(Binary.GT);
    public static final Primitive GE = comparison(Binary.GE);

    private static Primitive comparison(Binary op) {
        return Primitive.nonDifferentiable(op.opName(), in -> Elementwise.binary(op, in[0], in[1]));
    }

    /** {@code y = cond ? a : b}; {@code da = cond ? g : 0, db = cond ? 0 : g}. */
    public static final Primitive WHERE = Primitive.of("where",
            in -> Elementwise.where(in[0], in[1], in[2]),
            (g, in, y, n) -> {
                Tensor zero = Tensor.scalar(0, g.dtype());
                return new Tensor[] {
                    n[0] ? Tensor.zerosLike(in[0]) : null,
                    n[1] ? Ops.where(in[0], g, zero) : null,
                    n[2] ? Ops.where(in[0], zero, g) : null};
            });

    // ---- elementwise unary ----------------------------------------------------------------------

    /** {@code y = -a}; {@code da = -g}. */
    public static final Primitive NEG = Primitive.of("neg",
            in -> Elementwise.unary(Unary.NEG, in[0]),
            (g, in, y, n) -> new Tensor[] {Ops.neg(g)});

    /** {@code y = e^a}; {@code da = g y}. */
    public static final Primitive EXP = Primitive.of("exp",
            in -> Elementwise.unary(Unary.EXP, in[0]),
            (g, in, y, n) -> new Tensor[] {mul(g, y)});

    /** {@code y = ln a}; {@code da = g / a}. */
    public static final Primitive LOG = Primitive.of("log",
            in -> Elementwise.unary(Unary.LOG, in[0]),
            (g, in, y, n) -> new Tensor[] {div(g, in[0])});

    /** {@code y = sqrt(a)}; {@code da = g / (2 y)}. */
    public static final Primitive SQRT = Primitive.of("sqrt",
            in -> Elementwise.unary(Unary.SQRT, in[0]),
            (g, in, y, n) -> new Tensor[] {div(g, mul(2, y))});

    /** {@code y = |a|}; {@code da = g sign(a)} (0 at 0). */
    public static final Primitive ABS = Primitive.of("abs",
            in -> Elementwise.unary(Unary.ABS, in[0]),
            (g, in, y, n) -> new Tensor[] {mul(g, Elementwise.unary(Unary.SIGN, in[0]))});

    /** {@code y = tanh a}; {@code da = g (1 - y^2)}. */
    public static final Primitive TANH = Primitive.of("tanh",
            in -> Elementwise.unary(Unary.TANH, in[0]),
            (g, in, y, n) -> new Tensor[] {mul(g, Ops.sub(1, mul(y, y)))});

    /** The identity; used to watch an input that an enclosing gradient call already tracks. */
    public static final Primitive IDENTITY = Primitive.of("identity",
            in -> in[0],
            (g, in, y, n) -> new Tensor[] {g});

    /** {@code y = a} as another floating dtype; {@code da = g} cast back. */
    public static Primitive cast(DType to) {
        return Primitive.of("cast", in -> Elementwise.cast(in[0], to),
                (g, in, y, n) -> new Tensor[] {Ops.cast(g, in[0].dtype())});
    }

    // ---- products ---------------------------------------------------------------------------

    /**
     * {@code Y = op(A) op(B)} over the last two axes, batch axes broadcast. With
     * {@code dop(A) = G op(B)^T} and {@code dop(B) = op(A)^T G}, the rule is again a matmul with
     * transpose flags, so no transpose is ever materialised:
     * {@code dA = tA ? op(B) G^T : G op(B)^T}, {@code dB = tB ? G^T op(A) : op(A)^T G}.
     */
    public static Primitive matmul(boolean ta, boolean tb) {
        return Primitive.of("matmul", in -> MatMul.matmul(in[0], in[1], ta, tb),
                (g, in, y, n) -> new Tensor[] {
                    !n[0] ? null : ta ? Ops.matmul(in[1], g, tb, true) : Ops.matmul(g, in[1], false, !tb),
                    !n[1] ? null : tb ? Ops.matmul(g, in[0], true, ta) : Ops.matmul(in[0], g, !ta, false)});
    }

    // ---- reductions -------------------------------------------------------------------------

    /** {@code y = sum over axes}; {@code da = g} broadcast back over the reduced axes. */
    public static Primitive sum(int[] axes, boolean keepDims) {
        return Primitive.of("sum", in -> Reductions.sum(in[0], axes, keepDims),
                (g, in, y, n) -> new Tensor[] {spread(g, in[0].shape(), axes)});
    }

    /**
     * {@code y = max over axes}; g goes to the arg-max elements, shared evenly among ties (as
     * PyTorch's {@code amax}).
     */
    public static Primitive max(int[] axes, boolean keepDims) {
        return Primitive.of("max", in -> Reductions.max(in[0], axes, keepDims),
                (g, in, y, n) -> {
                    int[] shape = in[0].shape();
                    Tensor yk = Movement.broadcastTo(Movement.reshape(y, keptShape(shape, axes)), shape);
                    Tensor hit = Elementwise.cast(Elementwise.binary(Binary.EQ, in[0], yk), in[0].dtype());
                    Tensor count = Reductions.sum(hit, axes, true);
                    Tensor w = Elementwise.binary(Binary.DIV, hit, count);
                    return new Tensor[] {mul(spread(g, shape, axes), w)};
                });
    }

    private static int[] keptShape(int[] shape, int[] axes) {
        return Shapes.reduced(shape, Shapes.axes(axes, shape.length, "reduce"), true);
    }

    private static Tensor spread(Tensor g, int[] shape, int[] axes) {
        return Ops.broadcastTo(Ops.reshape(g, keptShape(shape, axes)), shape);
    }

    // ---- data movement ----------------------------------------------------------------------

    /** Same values, new shape; {@code da = reshape(g, shape(a))}. */
    public static Primitive reshape(int[] shape) {
        return Primitive.of("reshape", in -> Movement.reshape(in[0], shape),
                (g, in, y, n) -> new Tensor[] {Ops.reshape(g, in[0].shape())});
    }

    /** Permuted axes; {@code da = transpose(g, inverse(perm))}. */
    public static Primitive transpose(int[] perm) {
        return Primitive.of("transpose", in -> Movement.transpose(in[0], perm),
                (g, in, y, n) -> {
                    int[] inv = new int[perm.length];
                    for (int i = 0; i < perm.length; i++) {
                        inv[perm[i]] = i;
                    }
                    return new Tensor[] {Ops.transpose(g, inv)};
                });
    }

    /** NumPy broadcast; {@code da = g} summed back to {@code shape(a)}. */
    public static Primitive broadcastTo(int[] shape) {
        return Primitive.of("broadcastTo", in -> Movement.broadcastTo(in[0], shape),
                (g, in, y, n) -> new Tensor[] {Ops.sumToShape(g, in[0].shape())});
    }

    /** A block of {@code a}; {@code da = pad(g)} with zeros: slice and pad are each other's adjoints. */
    public static Primitive slice(int[] begin, int[] size) {
        return Primitive.of("slice", in -> Movement.slice(in[0], begin, size),
                (g, in, y, n) -> new Tensor[] {pad(begin, in[0].shape()).apply(g)});
    }

    /** Zero padding; {@code da = slice(g)}. */
    public static Primitive pad(int[] begin, int[] outShape) {
        return Primitive.of("pad", in -> Movement.pad(in[0], begin, outShape),
                (g, in, y, n) -> new Tensor[] {slice(begin, in[0].shape()).apply(g)});
    }

    /** Joins along {@code axis}; each input's cotangent is its slice of g. */
    public static Primitive concat(int axis) {
        return Primitive.of("concat", in -> Movement.concat(in, axis),
                (g, in, y, n) -> {
                    int ax = Shapes.axis(axis, g.rank(), "concat");
                    Tensor[] out = new Tensor[in.length];
                    int at = 0;
                    for (int i = 0; i < in.length; i++) {
                        int[] begin = new int[g.rank()];
                        begin[ax] = at;
                        if (n[i]) {
                            out[i] = slice(begin, in[i].shape()).apply(g);
                        }
                        at += in[i].shape()[ax];
                    }
                    return out;
                });
    }

    /**
     * {@code y[i] = x[i, index[i]]}; {@code dx = g[:, None] * onehot(index)}; the index gets no
     * gradient (zeros).
     */
    public static final Primitive GATHER = Primitive.of("gather",
            in -> Movement.gather(in[0], in[1]),
            (g, in, y, n) -> {
                int rows = in[0].shape()[0];
                Tensor hot = Movement.oneHot(in[1], in[0].shape()[1], in[0].dtype());
                return new Tensor[] {
                    n[0] ? mul(Ops.reshape(g, rows, 1), hot) : null,
                    n[1] ? Tensor.zerosLike(in[1]) : null};
            });

    // ---- fused activations and losses (kernels in kernel.Fused) --------------------------------

    /**
     * {@code y = x * (x > 0)}, relu in one pass with no Bool mask; {@code da = reluGrad(a, g)}.
     * Gradient 0 at 0.
     */
    public static final Primitive RELU = Primitive.of("relu",
            in -> Fused.relu(in[0]),
            (g, in, y, n) -> new Tensor[] {Primitives.RELU_GRAD.apply(in[0], g)});

    /**
     * {@code y = g * (x > 0)} for inputs {@code (x, g)} of the same shape: relu's VJP as a primitive,
     * so that it is one pass and still differentiable. It is linear in {@code g}, so
     * {@code dg = reluGrad(x, gy)}; in {@code x} it is piecewise constant, so {@code dx = 0}
     * (relu'' = 0 almost everywhere).
     */
    public static final Primitive RELU_GRAD = Primitive.of("reluGrad",
            in -> Fused.reluGrad(in[0], in[1]),
            (g, in, y, n) -> new Tensor[] {
                n[0] ? Tensor.zerosLike(in[0]) : null,
                n[1] ? Primitives.RELU_GRAD.apply(in[0], g) : null});

    /**
     * {@code y = 1 / (1 + e^-x)}, stable for any x; {@code da = g y sigmoid(-a)}, that is
     * {@code g s(a)(1 - s(a))} with {@code 1 - s(a)} taken as {@code s(-a)} so that it keeps its
     * precision for large positive a (where {@code 1 - y} would round to 0).
     */
    public static final Primitive SIGMOID = Primitive.of("sigmoid",
            in -> Fused.sigmoid(in[0]),
            (g, in, y, n) -> new Tensor[] {mul(g, mul(y, Primitives.SIGMOID.apply(Ops.neg(in[0]))))});

    /**
     * Elementwise binary cross-entropy on logits {@code x} with targets {@code t},
     * {@code y = max(x, 0) - x t + log1p(exp(-|x|))}; {@code dx = g (sigmoid(x) - t)},
     * {@code dt = -g x}.
     */
    public static final Primitive BCE_WITH_LOGITS = Primitive.of("bceWithLogits",
            in -> Fused.bceWithLogits(in[0], in[1]),
            (g, in, y, n) -> new Tensor[] {
                n[0] ? mul(g, Ops.sub(SIGMOID.apply(in[0]), in[1])) : null,
                n[1] ? Ops.neg(mul(g, in[0])) : null});

    /**
     * {@code y = x - logsumexp(x)} along {@code axis};
     * {@code da = g - exp(y) sum(g, axis)} (the softmax times the cotangent's sum, subtracted).
     */
    public static Primitive logSoftmax(int axis) {
        return Primitive.of("logSoftmax", in -> Fused.logSoftmax(in[0], axis),
                (g, in, y, n) -> new Tensor[] {Ops.sub(g, mul(Ops.exp(y), Ops.sum(g, true, axis)))});
    }

    /**
     * Per-sample sparse softmax cross-entropy {@code y[i] = -logSoftmax(x)[i, label[i]]} for logits
     * [N, C] and labels [N]; {@code dx = g[:, None] (softmax(x) - onehot(label))}, where
     * {@code softmax(x) = exp(logSoftmax(x))} is recorded, so second derivatives work. The labels
     * get no gradient (zeros).
     */
    public static final Primitive SOFTMAX_CROSS_ENTROPY = Primitive.of("softmaxCrossEntropy",
            in -> Fused.softmaxCrossEntropy(in[0], in[1]),
            (g, in, y, n) -> {
                int[] s = in[0].shape();
                Tensor hot = Movement.oneHot(in[1], s[1], in[0].dtype());
                Tensor p = Ops.exp(logSoftmax(1).apply(in[0]));
                return new Tensor[] {
                    n[0] ? mul(Ops.reshape(g, s[0], 1), Ops.sub(p, hot)) : null,
                    n[1] ? Tensor.zerosLike(in[1]) : null};
            });

    /** The names of every primitive in this registry, for coverage checks and docs. */
    public static final List<String> NAMES = List.of(
            "add", "sub", "mul", "div", "pow", "maximum", "minimum", "where",
            "neg", "exp", "log", "sqrt", "abs", "tanh", "identity", "cast",
            "matmul", "sum", "max", "reshape", "transpose", "broadcastTo", "slice", "pad", "concat", "gather",
            "relu", "reluGrad", "sigmoid", "bceWithLogits", "logSoftmax", "softmaxCrossEntropy",
            "eq", "ne", "lt", "le", "gt", "ge");
}
