package io.sparkgrad.spark;

import io.sparkgrad.Tensor;
import io.sparkgrad.nn.Cell;
import io.sparkgrad.ops.Fn;
import io.sparkgrad.ops.Ops;
import io.sparkgrad.ops.Ops.Reduction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The training losses, per sample (the driver weights and sums them). Each also validates labels,
 * so a bad label is reported with its partition and row before any engine call.
 *
 * <p><b>Names.</b> This enum is the one table of the names a loss goes by, which the Spark ML
 * estimator's {@code loss} param and the command line's {@code --loss} both take (through
 * {@link #fromName}): each loss's {@link #canonicalName()} ({@code softmax_cross_entropy},
 * {@code bce_with_logits}, {@code mse}) and its short aliases ({@code softmax}, {@code bce}).
 */
public enum LossKind {
    /** Softmax cross-entropy of logits {@code [N, C]} against integer labels in {@code [0, C)}. */
    SOFTMAX_CROSS_ENTROPY("softmax_cross_entropy", "softmax") {
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
    BCE_WITH_LOGITS("bce_with_logits", "bce") {
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

        @Override
        public long countCorrect(float[] out, int width, float[] labels, int rows) {
            // one int add of two selects per row: in isolation 9 us per 4,096 rows, against 18 for
            // a long count of the compared pair
            int right = 0;
            for (int i = 0; i < rows; i++) {
                right += (out[i] > 0 ? 1 : 0) ^ (labels[i] == 1 ? 0 : 1);
            }
            return right;
        }
    },
    /** Squared error of outputs {@code [N]} or {@code [N, 1]} against real labels. */
    MSE("mse") {
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

    private final String canonicalName;
    private final List<String> aliases;

    LossKind(String canonicalName, String... aliases) {
        this.canonicalName = canonicalName;
        this.aliases = List.of(aliases);
    }

    /** The loss's name ({@code softmax_cross_entropy}, {@code bce_with_logits}, {@code mse}). */
    public String canonicalName() {
        return canonicalName;
    }

    /** Every name of this loss: its canonical name, then its aliases. */
    public List<String> names() {
        List<String> out = new ArrayList<>();
        out.add(canonicalName);
        out.addAll(aliases);
        return List.copyOf(out);
    }

    /**
     * Every name {@link #fromName} takes, in lower case: each loss's canonical name followed by its
     * aliases, the losses in declaration order.
     */
    public static String[] allNames() {
        List<String> out = new ArrayList<>();
        for (LossKind k : values()) {
            out.addAll(k.names());
        }
        return out.toArray(new String[0]);
    }

    /**
     * The names for a message or a help text:
     * {@code softmax_cross_entropy (or softmax), bce_with_logits (or bce), mse}.
     */
    public static String describeNames() {
        List<String> out = new ArrayList<>();
        for (LossKind k : values()) {
            out.add(k.aliases.isEmpty() ? k.canonicalName
                    : k.canonicalName + " (or " + String.join(", ", k.aliases) + ")");
        }
        return String.join(", ", out);
    }

    /**
     * The loss named {@code name}, a canonical name or an alias, in any case, surrounding blanks
     * ignored.
     *
     * @throws IllegalArgumentException naming the value and the accepted names
     */
    public static LossKind fromName(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        for (LossKind k : values()) {
            if (k.canonicalName.equals(n) || k.aliases.contains(n)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown loss '" + name + "': expected " + describeNames());
    }

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

    /**
     * How many of rows {@code 0..rows-1} of {@code out} ({@code width} values per row) are
     * {@link #correct}: one loop per loss, called once per micro-batch.
     */
    public long countCorrect(float[] out, int width, float[] labels, int rows) {
        long right = 0;
        for (int i = 0; i < rows; i++) {
            if (correct(out, i, width, labels[i])) {
                right++;
            }
        }
        return right;
    }

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
