package io.sparkgrad.spark;

import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The immutable configuration of a {@link DataParallelTrainer} run, made by
 * {@link TrainerBuilder} (whose methods document each setting and check each value as
 * it is set). The constructor checks the invariants again, so a configuration made directly is
 * valid too, and copies the listener list.
 *
 * @param model             builds the model on the driver and on every executor
 * @param loss              the per-sample loss
 * @param optimizer         builds the optimizer over the trainable parameters; null when {@code lbfgs} is set
 * @param epochs            passes over the data (>= 1); ignored when {@code steps > 0}
 * @param steps             a fixed number of steps, or 0 to run {@code epochs} epochs
 * @param batchSize         rows per step across all partitions, or 0 (see {@code miniBatchFraction})
 * @param miniBatchFraction the fraction of rows per step when {@code batchSize} is 0; 0 means full-batch
 * @param microBatch        rows per engine call inside a partition (>= 1)
 * @param treeDepth         depth of the reduction tree (>= 1)
 * @param schedule          the learning-rate schedule
 * @param clipNorm          the global gradient-norm clip (0 turns clipping off)
 * @param sens              the driver-side scaling of the reduced gradient
 * @param seed              seeds the per-epoch row order
 * @param shuffle           reshuffle each partition's rows every epoch
 * @param validation        data evaluated after every epoch, or null
 * @param checkpointDir     where checkpoints go (a Hadoop path), or null for none
 * @param checkpointEvery   steps between checkpoints (0: only the last step)
 * @param resume            continue from the latest checkpoint in {@code checkpointDir}
 * @param keepCheckpoints   how many checkpoints of highest step to keep, older ones are deleted after
 *                          each new one is in place (0 keeps all)
 * @param listeners         progress listeners, in the order they are called
 * @param hook              called before each partition's work (fault injection in tests)
 * @param modelText         the model description stored in checkpoints
 * @param maxSkippedSteps   non-finite steps tolerated in a row before training stops
 * @param l2                the L2 penalty's lambda (0 turns it off)
 * @param l2Params          which parameter names (as in {@code Cell.trainableParamNames()}) the penalty covers
 * @param lbfgs             full-batch L-BFGS / OWL-QN instead of a first-order optimizer, or null; then
 *                          {@code epochs}, {@code steps} and the schedule are not used, the run has at most
 *                          {@code lbfgs.maxIter()} steps (one per iteration), and it must be full-batch
 *                          without clipping
 * @param validateEvery     steps between validation evaluations, or 0 to evaluate after the last step of
 *                          every epoch; either way also after the run's last step
 * @param earlyStoppingRounds stop after this many evaluations in a row without improvement of the
 *                          validation loss, and return the best parameters ({@link EarlyStopping}); 0 turns
 *                          it off; needs {@code validation}
 * @param earlyStoppingTol  an evaluation improves when its loss is lower than the best by more than this (>= 0)
 */
public record TrainerConfig(ModelFactory model, LossKind loss, OptimizerFactory optimizer, int epochs, long steps,
                            int batchSize, double miniBatchFraction, int microBatch, int treeDepth,
                            LearningRateSchedule schedule, double clipNorm, Sens sens, long seed, boolean shuffle,
                            TrainingData validation, String checkpointDir, int checkpointEvery, boolean resume,
                            int keepCheckpoints,
                            List<ProgressListener> listeners, TaskHook hook, String modelText, int maxSkippedSteps,
                            double l2, Predicate<String> l2Params, Lbfgs lbfgs, int validateEvery,
                            int earlyStoppingRounds, double earlyStoppingTol) {
    /** Checkpoints kept by default: the five of highest step. */
    public static final int DEFAULT_KEEP_CHECKPOINTS = 5;

    public TrainerConfig {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(loss, "loss");
        if ((optimizer == null) == (lbfgs == null)) {
            throw new IllegalArgumentException(lbfgs == null ? "an optimizer or L-BFGS is needed"
                    : "both an optimizer and L-BFGS are set; L-BFGS replaces the optimizer "
                            + "(use DataParallelTrainer.builder(model, loss).lbfgs(...))");
        }
        if (lbfgs != null && (batchSize > 0 || miniBatchFraction > 0 || clipNorm > 0)) {
            throw new IllegalArgumentException("L-BFGS trains full-batch without clipping; batch size " + batchSize
                    + ", mini-batch fraction " + miniBatchFraction + ", clip norm " + clipNorm + " must be unset");
        }
        Objects.requireNonNull(schedule, "schedule");
        Objects.requireNonNull(sens, "sens");
        Objects.requireNonNull(hook, "hook");
        Objects.requireNonNull(modelText, "modelText");
        Objects.requireNonNull(l2Params, "l2Params");
        listeners = List.copyOf(listeners);
        if (epochs < 1 || steps < 0 || batchSize < 0 || microBatch < 1 || treeDepth < 1) {
            throw new IllegalArgumentException("epochs " + epochs + ", steps " + steps + ", batch size " + batchSize
                    + ", micro-batch " + microBatch + ", tree depth " + treeDepth + ": a value is out of range");
        }
        if (!(miniBatchFraction >= 0 && miniBatchFraction <= 1) || !(clipNorm >= 0)
                || !(l2 >= 0 && Double.isFinite(l2))) {
            throw new IllegalArgumentException("mini-batch fraction " + miniBatchFraction + ", clip norm " + clipNorm
                    + ", l2 lambda " + l2 + ": a value is out of range");
        }
        if (keepCheckpoints < 0) {
            throw new IllegalArgumentException("keep checkpoints must be >= 0 (0 keeps all), got " + keepCheckpoints);
        }
        if (validateEvery < 0 || earlyStoppingRounds < 0 || !(earlyStoppingTol >= 0 && earlyStoppingTol < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("validate every " + validateEvery + " steps, early-stopping rounds "
                    + earlyStoppingRounds + ", early-stopping tol " + earlyStoppingTol + ": a value is out of range");
        }
        if (earlyStoppingRounds > 0 && validation == null) {
            throw new IllegalArgumentException("early stopping (" + earlyStoppingRounds
                    + " rounds) needs a validation set: set validation(...)");
        }
        if (resume && checkpointDir == null) {
            throw new IllegalArgumentException("resume needs a checkpoint directory");
        }
    }

    /**
     * Steps per epoch for {@code rows} rows: {@code ceil(rows / batchSize)}, else
     * {@code ceil(1 / miniBatchFraction)}, else 1 (full-batch).
     */
    public int stepsPerEpoch(long rows) {
        return batchSize > 0 ? (int) Math.max(1, (rows + batchSize - 1) / batchSize)
                : miniBatchFraction > 0 ? (int) Math.ceil(1 / miniBatchFraction) : 1;
    }

    /**
     * Whether the validation set is evaluated after {@code step} (1-based), whose index in its epoch
     * is {@code k} (0-based) of {@code perEpoch}, in a run of {@code total} steps.
     */
    public boolean validatesAfter(long step, int k, int perEpoch, long total) {
        if (validation == null) {
            return false;
        }
        return step == total || (validateEvery > 0 ? step % validateEvery == 0 : k == perEpoch - 1);
    }

    /**
     * The run's total steps: L-BFGS's {@code maxIter} if set, else {@code steps} if set, else
     * {@code epochs * stepsPerEpoch}.
     */
    public long totalSteps(int stepsPerEpoch) {
        if (lbfgs != null) {
            return lbfgs.maxIter();
        }
        return steps > 0 ? steps : (long) epochs * stepsPerEpoch;
    }
}
