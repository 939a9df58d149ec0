package io.sparkgrad.spark;

import io.sparkgrad.spark.checkpoint.EarlyStoppingState;

/**
 * The early-stopping decision of one {@link DataParallelTrainer} run, fed one validation loss per
 * evaluation ({@link TrainerBuilder#earlyStopping}).
 *
 * <p><b>The rule.</b> An evaluation at step {@code s} with validation loss {@code L} (the weighted
 * mean loss over the validation set) <em>improves</em> exactly when {@code L < best - tol}, where
 * {@code best} is the lowest loss of an earlier improving evaluation ({@code +infinity} before the
 * first). A NaN loss never improves. An improving evaluation makes {@code s} the best step, keeps a
 * copy of the parameters after it and resets the counter; any other adds one to the counter, and
 * when the counter reaches {@code rounds} the run stops after step {@code s}. The run then returns
 * the best step's parameters (also when it ran to its end without stopping).
 *
 * <p><b>Lifecycle.</b> Made fresh by {@link #of} at the start of a fit, or restored from a
 * checkpoint's {@link EarlyStoppingState} on resume ({@link #restore}); {@link #record} once per
 * evaluation; {@link #state} for each checkpoint; {@link #outcome} at the end. The decision depends
 * only on the sequence of losses, which is deterministic, so a resumed run decides the same as an
 * uninterrupted one. Not thread-safe (the driver's loop alone uses it).
 */
public final class EarlyStopping {
    private final int rounds;
    private final double tol;
    private long bestStep;
    private int bestEpoch;
    private double bestLoss = Double.POSITIVE_INFINITY;
    private int without;
    private float[] bestValues;
    private long stoppedStep;
    private int stoppedEpoch = -1;

    private EarlyStopping(int rounds, double tol) {
        this.rounds = rounds;
        this.tol = tol;
    }

    /** The run's early stopping, or null when the configuration turns it off. */
    static EarlyStopping of(TrainerConfig c) {
        return c.earlyStoppingRounds() > 0 ? new EarlyStopping(c.earlyStoppingRounds(), c.earlyStoppingTol()) : null;
    }

    /**
     * Continues from a checkpoint taken after step {@code step} of epoch {@code epoch}; a null
     * state (a version-1 checkpoint, taken before the first evaluation) leaves it fresh. If the
     * restored counter has already reached {@code rounds}, the run had stopped at that step.
     */
    void restore(EarlyStoppingState s, long step, int epoch) {
        if (s == null) {
            return;
        }
        bestStep = s.bestStep();
        bestEpoch = s.bestEpoch();
        bestLoss = s.bestLoss();
        without = s.roundsWithoutImprovement();
        bestValues = s.bestValues();
        if (without >= rounds) {
            stoppedStep = step;
            stoppedEpoch = epoch;
        }
    }

    /**
     * Records the evaluation after {@code step} (of {@code epoch}) with validation loss
     * {@code loss} and the parameters {@code params} at that point; returns whether the run stops
     * here.
     */
    boolean record(long step, int epoch, double loss, float[] params) {
        if (loss < bestLoss - tol) {
            bestStep = step;
            bestEpoch = epoch;
            bestLoss = loss;
            bestValues = params.clone();
            without = 0;
        } else {
            without++;
        }
        if (without >= rounds) {
            stoppedStep = step;
            stoppedEpoch = epoch;
            return true;
        }
        return false;
    }

    /** Whether the run has stopped (also when restored from the checkpoint of its stop). */
    boolean stopped() {
        return stoppedEpoch >= 0;
    }

    /** The best parameters so far, or null before the first improving evaluation. */
    float[] bestValues() {
        return bestValues == null ? null : bestValues.clone();
    }

    /** The state to checkpoint, or null before the first improving evaluation. */
    EarlyStoppingState state() {
        return bestValues == null ? null : new EarlyStoppingState(bestStep, bestEpoch, bestLoss, without, bestValues);
    }

    /** The outcome for {@link DataParallelTrainer.Result}, of a run of {@code totalSteps} steps. */
    Outcome outcome(long totalSteps) {
        boolean early = stopped() && stoppedStep < totalSteps;
        return new Outcome(bestValues == null ? 0 : bestStep, bestValues == null ? -1 : bestEpoch, bestLoss, without,
                early, early ? stoppedStep : 0, early ? stoppedEpoch : -1);
    }

    /**
     * What early stopping did in a run. Epochs are 0-based, as in {@link StepRecord#epoch()}; with
     * one evaluation per epoch, a run of {@code bestEpoch + 1} epochs (or {@code steps(bestStep)})
     * ends at the returned parameters.
     *
     * @param bestStep                 the step whose parameters the run returned (0: no evaluation improved,
     *                                 for example every loss was NaN; the run then returned its last parameters)
     * @param bestEpoch                its epoch (-1 with {@code bestStep} 0)
     * @param bestLoss                 its validation loss ({@code +infinity} with {@code bestStep} 0)
     * @param roundsWithoutImprovement evaluations after the best one
     * @param stoppedEarly             whether the run stopped before its last step (the counter reaching
     *                                 {@code rounds} at the last step is not an early stop)
     * @param stoppedAtStep            the step after which it stopped (0 if it did not)
     * @param stoppedAtEpoch           that step's epoch (-1 if it did not stop)
     */
    public record Outcome(long bestStep, int bestEpoch, double bestLoss, int roundsWithoutImprovement,
                          boolean stoppedEarly, long stoppedAtStep, int stoppedAtEpoch) {
    }
}
