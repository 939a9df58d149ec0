package io.sparkgrad.spark;

import java.io.Serializable;

/**
 * Which labels a loss accepts, checked as each line is read so that a bad label names its file
 * and line ({@code x.csv:21: label '7' is not a class index in [0, 3)}):
 * <ul>
 *   <li>softmax: a class index, an integer in {@code [0, classes)}; with the class count not yet
 *       known ({@code classes <= 0}, to be inferred from the data), any non-negative integer;</li>
 *   <li>binary cross-entropy: 0 or 1;</li>
 *   <li>squared error: any finite number (finiteness is checked by the parser).</li>
 * </ul>
 * {@link TrainingData#validate} checks the labels again against the model's width, for inputs
 * that do not come through {@link DataLoader}'s text parser.
 */
public final class LabelRule implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The largest class count a float label can index exactly (2^24). */
    static final int MAX_CLASSES = 1 << 24;

    private final LossKind loss;
    private final int classes;

    private LabelRule(LossKind loss, int classes) {
        this.loss = loss;
        this.classes = classes;
    }

    /** Labels for {@code loss}; {@code classes} is the softmax class count, or 0 or less when not known yet. */
    public static LabelRule of(LossKind loss, int classes) {
        return new LabelRule(loss, classes);
    }

    /** Null when {@code label} (read from {@code text}) is valid, else why not. */
    public String check(float label, String text) {
        switch (loss) {
            case SOFTMAX_CROSS_ENTROPY:
                if (label != Math.rint(label) || label < 0 || label >= MAX_CLASSES) {
                    return "label '" + text + "' is not a class index (0, 1, 2, ...)";
                }
                return classes > 0 && label >= classes
                        ? "label '" + text + "' is not a class index in [0, " + classes + ")" : null;
            case BCE_WITH_LOGITS:
                return label == 0 || label == 1 ? null : "label '" + text + "' is not 0 or 1 (binary cross-entropy)";
            default:
                return null;
        }
    }

    @Override
    public String toString() {
        return loss + (classes > 0 ? ", " + classes + " classes" : "");
    }
}
