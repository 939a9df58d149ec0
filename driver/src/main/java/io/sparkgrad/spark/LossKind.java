package io.sparkgrad.spark;

import io.sparkgrad.Tensor;
import io.sparkgrad.nn.Cell;
import io.sparkgrad.ops.Fn;
import io.sparkgrad.ops.Ops;
import io.sparkgrad.ops.Ops.Reduction;
import java.util.Arrays;

/**
 * The training losses, per sample (the driver weights and sums them). Each also validates labels,
 * so a bad label is reported with its partition and row before any engine call.
 */
public enum LossKind {
    /** Softmax cross-entropy of logits {@code [N, C]} against integer labels in {@code [0, C)}. */
    SOFTMAX_CROSS_ENTROPY {
        @Override
        public Tensor perSample(Tensor output, Tensor labels) {
            return Ops.softmaxCrossEntropy(output, labels, Reduction.NONE);
        }

        @Override
        public String checkLabel(double label, int outputDim) {
            return label == Math.rint(label) && label >= 0 && label < outputDim ? null
                    : "label " + label + " is not a class index in [0, " + outputDim + ")";
        }

        @Override
        public boolean correct(float[] out, int row, int dim, double label) {
            int best = 0;
            for (int j = 1; j < dim; j++) {
                if (out[row * dim + j] > out[row * dim + best]) {
                    best = j;
                }
            }
            return best == (int) label;
        }
    },
    /** Binary cross-entropy on logits {@code [N]} or {@code [N, 1]} against 0/1 labels. */
    BCE_WITH_LOGITS {
        @Override
        public Tensor perSample(Tensor output, Tensor labels) {
            return Ops.bceWithLogits(column(output, "bceWithLogits"), labels, Reduction.NONE);
        }

        @Override
        public String checkLabel(double label, int outputDim) {
            if (outputDim != 1) {
                return "binary cross-entropy needs a model with 1 output, this one has " + outputDim;
            }
            return label == 0 || label == 1 ? null : "label " + label + " is not 0 or 1";
        }

        @Override
        public boolean correct(float[] out, int row, int dim, double label) {
            return (out[row] > 0) == (label == 1);
        }
    },
    /** Squared error of outputs {@code [N]} or {@code [N, 1]} against real labels. */
    MSE {
        @Override
        public Tensor perSample(Tensor output, Tensor labels) {
            return Ops.mseLoss(column(output, "mseLoss"), labels, Reduction.NONE);
        }

        @Override
        public String checkLabel(double label, int outputDim) {
            return outputDim == 1 ? null : "squared error needs a model with 1 output, this one has " + outputDim;
        }

        @Override
        public boolean correct(float[] out, int row, int dim, double label) {
            return false;
        }
    };

    /** The loss of each sample, shape {@code [N]}. */
    public abstract Tensor perSample(Tensor output, Tensor labels);

    /**
     * The function a partition differentiates: {@code (x, labels, weights) -> sum_i w_i loss_i}
     * of {@code model}'s outputs.
     */
    public Fn weightedSum(Cell model) {
        return xs -> Ops.sum(Ops.mul(perSample(model.apply(xs[0]), xs[1]), xs[2]));
    }

    /**
     * As {@link #weightedSum}, with the model's outputs beside the sum: {@code (sum_i w_i loss_i,
     * outputs)}, for a {@code hasAux} gradient (only the sum is differentiated), so the step can
     * count the rows it classifies right without a second forward pass.
     */
    public Fn weightedSumAndOutputs(Cell model) {
        return xs -> {
            Tensor out = model.apply(xs[0]);
            return io.sparkgrad.Tuple.of(Ops.sum(Ops.mul(perSample(out, xs[1]), xs[2])), out);
        };
    }

    /** Null when {@code label} is valid for a model with {@code outputDim} outputs, else why not. */
    public abstract String checkLabel(double label, int outputDim);

    /** Whether the prediction of row {@code row} is right (classification losses only). */
    public abstract boolean correct(float[] out, int row, int dim, double label);

    /** Whether accuracy means anything for this loss. */
    public boolean isClassification() {
        return this != MSE;
    }

    static Tensor column(Tensor output, String op) {
        if (output.rank() == 2 && output.shape(1) == 1) {
            return Ops.reshape(output, output.shape(0));
        }
        if (output.rank() != 1) {
            throw new IllegalArgumentException(op + ": needs model outputs of shape [N] or [N, 1], got "
                    + Arrays.toString(output.shape()));
        }
        return output;
    }
}
