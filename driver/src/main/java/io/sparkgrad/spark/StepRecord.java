package io.sparkgrad.spark;

/**
 * What one training step did. {@code loss} is the weighted mean loss of the step's rows before the
 * update; {@code gradNorm} the norm of the scaled gradient before clipping. A skipped step
 * (non-finite gradient or loss) has {@code skipped} set and {@code problem} saying where.
 */
public record StepRecord(long step, long totalSteps, int epoch, double loss, long samples, double seconds,
                         double learningRate, double gradNorm, boolean skipped, String problem) {

    public double samplesPerSecond() {
        return seconds > 0 ? samples / seconds : Double.NaN;
    }
}
