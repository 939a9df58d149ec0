package io.sparkgrad.spark;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Receives progress from {@link DataParallelTrainer}: {@link #onStart}, then {@link #onStep} per
 * step, {@link #onValidation} after each evaluation of the validation set,
 * {@link #onEpoch(EpochRecord)} after each epoch's last step, and {@link #onFinish} at the
 * end. {@link #console} prints it.
 */
public interface ProgressListener {

    /** Before the first step; {@code firstStep} is greater than 1 when the run resumes. */
    default void onStart(long firstStep, long totalSteps) {
    }

    void onStep(StepRecord step, double etaSeconds);

    /**
     * After the last step of an epoch, with the epoch's training metrics and the validation
     * metrics when the validation set was evaluated after that step (else null).
     */
    default void onEpoch(EpochRecord epoch) {
    }

    /**
     * After each evaluation of the validation set (every epoch, or every {@code validateEvery}
     * steps, and after the last step), in the 0-based {@code epoch} the step belongs to; before
     * {@link #onEpoch(EpochRecord)} when both follow the same step.
     */
    default void onValidation(int epoch, Evaluator.Metrics validation) {
    }

    /** After the last step. */
    default void onFinish() {
    }

    /** Prints a step line every {@code every} steps (and the first and last), every epoch's line and a summary. */
    static ProgressListener console(PrintStream out, int every) {
        if (every < 1) {
            throw new IllegalArgumentException("console progress every " + every + " steps: must be >= 1");
        }
        return new ConsoleProgress(out, every, 0, System::nanoTime);
    }

    /**
     * Prints at most one line every {@code intervalSeconds} of wall time: a step line, or the
     * epoch's line when an epoch ended in the interval; always the first step, the last epoch and
     * a summary (see {@link ConsoleProgress}). {@code clock} gives nanoseconds ({@code System::nanoTime}).
     */
    static ProgressListener consoleEvery(PrintStream out, double intervalSeconds, LongSupplier clock) {
        if (!(intervalSeconds > 0)) {
            throw new IllegalArgumentException("console progress every " + intervalSeconds + " s: must be > 0");
        }
        return new ConsoleProgress(out, 0, intervalSeconds, clock);
    }

    /** {@code h:mm:ss}, or {@code ?} when not finite. */
    static String format(double seconds) {
        if (!Double.isFinite(seconds)) {
            return "?";
        }
        Duration d = Duration.ofMillis((long) (seconds * 1000));
        return String.format(Locale.ROOT, "%d:%02d:%02d", d.toHours(), d.toMinutesPart(), d.toSecondsPart());
    }
}
