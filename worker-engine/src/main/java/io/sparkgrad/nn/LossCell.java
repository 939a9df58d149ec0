package io.sparkgrad.nn;

import io.sparkgrad.Tensor;
import io.sparkgrad.ops.Ops;
import io.sparkgrad.ops.Ops.Reduction;
import java.util.Objects;

/**
 * The losses as cells, {@code construct(prediction, target)}: MindSpore's {@code nn.MSELoss},
 * {@code nn.SoftmaxCrossEntropyWithLogits(sparse=True)} and {@code nn.BCEWithLogitsLoss}. Each
 * is one {@link Ops} call: mse a composite, the two cross-entropies fused primitives with their
 * own gradient rules (see {@code io.sparkgrad.ops.Primitives}).
 */
public abstract class LossCell extends Cell {
    protected final Reduction reduction;

    protected LossCell(Reduction reduction) {
        this.reduction = Objects.requireNonNull(reduction);
    }

    public Reduction reduction() {
        return reduction;
    }

    /** The loss, a Tensor (a scalar unless the reduction is NONE). */
    @Override
    public abstract Tensor construct(Tensor... inputs);

    /** {@code mean((pred - target)^2)}. */
    public static LossCell mse() {
        return mse(Reduction.MEAN);
    }

    public static LossCell mse(Reduction r) {
        return new LossCell(r) {
            @Override
            public Tensor construct(Tensor... in) {
                return Ops.mseLoss(in[0], in[1], reduction);
            }
        };
    }

    /** Softmax cross-entropy of logits [N, C] against integer labels [N]. */
    public static LossCell softmaxCrossEntropy() {
        return softmaxCrossEntropy(Reduction.MEAN);
    }

    public static LossCell softmaxCrossEntropy(Reduction r) {
        return new LossCell(r) {
            @Override
            public Tensor construct(Tensor... in) {
                return Ops.softmaxCrossEntropy(in[0], in[1], reduction);
            }
        };
    }

    /** Binary cross-entropy of logits against 0/1 targets of the same shape. */
    public static LossCell bceWithLogits() {
        return bceWithLogits(Reduction.MEAN);
    }

    public static LossCell bceWithLogits(Reduction r) {
        return new LossCell(r) {
            @Override
            public Tensor construct(Tensor... in) {
                return Ops.bceWithLogits(in[0], in[1], reduction);
            }
        };
    }
}
