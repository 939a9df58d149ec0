package io.sparkgrad.spark;

/**
 * What one epoch did, reported after its last step. {@code trainLoss} is the weighted mean of the
 * loss of the epoch's steps, each taken before its update (the running training loss, from the
 * steps' own loss sums, so it costs no extra pass); {@code trainAccuracy} likewise the fraction of
 * the epoch's rows the model classified right as each step saw them, NaN for a regression loss.
 * A resumed run's first epoch covers only the steps after the checkpoint. {@code validation} is
 * the validation set evaluated after the epoch's last step, or null when none was given.
 *
 * @param epoch         the epoch, 0-based as in {@link StepRecord#epoch()}
 * @param epochs        the run's epochs
 * @param step          the epoch's last step
 * @param trainLoss     the weighted mean training loss of the epoch's steps, NaN if every step was skipped
 * @param trainAccuracy the running training accuracy, NaN for regression
 * @param validation    the validation metrics, or null
 */
public record EpochRecord(int epoch, int epochs, long step, double trainLoss, double trainAccuracy,
                          Evaluator.Metrics validation) {
}
