package io.sparkgrad.spark.checkpoint;

import java.util.Objects;

/**
 * Where an early-stopping decision stands, as a checkpoint stores it (format version 2): the
 * step and epoch whose validation loss is the best so far, that loss, how many evaluations since
 * then did not improve on it, and the parameters at that step (laid out like
 * {@code ParameterTuple.flatten()}). A resumed run that restores it makes the same decisions and
 * returns the same best parameters, bit for bit, as a run that was never interrupted.
 *
 * <p>An immutable value: the array is copied in and out. {@link #equals} compares the loss and the
 * values by bit pattern.
 *
 * @param bestStep                 the step of the best evaluation (>= 1)
 * @param bestEpoch                its epoch, 0-based as in {@code StepRecord.epoch()} (>= 0)
 * @param bestLoss                 its validation loss (the weighted mean)
 * @param roundsWithoutImprovement evaluations after it that did not improve on it (>= 0)
 * @param bestValues               the parameters after {@code bestStep}
 */
public record EarlyStoppingState(long bestStep, int bestEpoch, double bestLoss, int roundsWithoutImprovement,
                                 float[] bestValues) {
    public EarlyStoppingState {
        if (bestStep < 1 || bestEpoch < 0 || roundsWithoutImprovement < 0) {
            throw new IllegalArgumentException("early-stopping state: best step " + bestStep + ", best epoch "
                    + bestEpoch + ", rounds without improvement " + roundsWithoutImprovement
                    + ": a value is out of range");
        }
        bestValues = Objects.requireNonNull(bestValues, "early-stopping state: best values").clone();
    }

    /** The best parameters (a copy). */
    @Override
    public float[] bestValues() {
        return bestValues.clone();
    }

    /** The number of best values, without copying them. */
    public int numel() {
        return bestValues.length;
    }

    /** Value {@code i} of the best parameters, without copying them. */
    float bestValue(int i) {
        return bestValues[i];
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof EarlyStoppingState s)) {
            return false;
        }
        if (bestStep != s.bestStep || bestEpoch != s.bestEpoch || roundsWithoutImprovement != s.roundsWithoutImprovement
                || Double.doubleToRawLongBits(bestLoss) != Double.doubleToRawLongBits(s.bestLoss)
                || bestValues.length != s.bestValues.length) {
            return false;
        }
        for (int i = 0; i < bestValues.length; i++) {
            if (Float.floatToRawIntBits(bestValues[i]) != Float.floatToRawIntBits(s.bestValues[i])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return Objects.hash(bestStep, bestEpoch, Double.doubleToRawLongBits(bestLoss), roundsWithoutImprovement,
                bestValues.length);
    }

    @Override
    public String toString() {
        return "EarlyStoppingState(best step " + bestStep + ", epoch " + bestEpoch + ", loss " + bestLoss + ", "
                + roundsWithoutImprovement + " rounds without improvement, numel " + bestValues.length + ")";
    }

    /** Whether {@code a} and {@code b} are both null or equal. */
    static boolean same(EarlyStoppingState a, EarlyStoppingState b) {
        return a == null ? b == null : a.equals(b);
    }
}
