package io.sparkgrad.spark;

import java.io.Serializable;

/**
 * The sens scaling the driver applies to the reduced gradient of {@code sum_i w_i loss_i}:
 * by default {@code 1 / sum_i w_i} ({@link #inverseTotalWeight()}), which gives the gradient of the
 * weighted mean loss. A loss scale {@code L} multiplies the loss on the partitions (as a
 * {@code sensParam} sens) and is divided out again here.
 */
public record Sens(Kind kind, double value) implements Serializable {
    /** How the value is used. */
    public enum Kind { INVERSE_TOTAL_WEIGHT, SCALAR, LOSS_SCALE }

    public Sens {
        if (!(Double.isFinite(value) && value != 0)) {
            throw new IllegalArgumentException("sens must be finite and non-zero, got " + value);
        }
    }

    /** {@code 1 / sum_i w_i}: the gradient of the weighted mean loss (the default). */
    public static Sens inverseTotalWeight() {
        return new Sens(Kind.INVERSE_TOTAL_WEIGHT, 1);
    }

    /** A fixed sens {@code s}: the gradient of {@code s * sum_i w_i loss_i}. */
    public static Sens scalar(double s) {
        return new Sens(Kind.SCALAR, s);
    }

    /** The mean-loss gradient computed from a loss multiplied by {@code scale} on the partitions. */
    public static Sens lossScale(double scale) {
        return new Sens(Kind.LOSS_SCALE, scale);
    }

    /** The sens each partition passes to its GradOperation. */
    public double partitionSens() {
        return kind == Kind.LOSS_SCALE ? value : 1.0;
    }

    /** The factor applied on the driver to the reduced gradient, given the total weight. */
    public double driverScale(double totalWeight) {
        switch (kind) {
            case SCALAR:
                return value;
            case LOSS_SCALE:
                return 1.0 / (value * totalWeight);
            default:
                return 1.0 / totalWeight;
        }
    }

    /**
     * The objective whose gradient the scaled gradient is, from the (unscaled) weighted loss sum:
     * {@code s * lossSum} for a scalar sens {@code s}, else the weighted mean
     * {@code lossSum / totalWeight} (a loss scale changes how the gradient is computed, not what).
     */
    public double objective(double lossSum, double totalWeight) {
        return kind == Kind.SCALAR ? value * lossSum : lossSum / totalWeight;
    }
}
