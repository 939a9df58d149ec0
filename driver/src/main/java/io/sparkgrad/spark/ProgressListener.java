package io.sparkgrad.spark;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/** Receives progress from {@link DataParallelTrainer}; the default prints one line per step. */
public interface ProgressListener {

    /** Before the first step; {@code firstStep} is greater than 1 when the run resumes. */
    default void onStart(long firstStep, long totalSteps) {
    }

    void onStep(StepRecord step, double etaSeconds);

    /** After the last step of an epoch, with validation metrics when validation data was given. */
    default void onEpoch(int epoch, Evaluator.Metrics validation) {
    }

    /** After the last step. */
    default void onFinish() {
    }

    /** Prints {@code step 12/300 | epoch 1 | loss 0.4321 | 12345 samples/s | eta 0:01:23} lines. */
    static ProgressListener console(PrintStream out, int every) {
        return new ProgressListener() {
            @Override
            public void onStep(StepRecord s, double eta) {
                if (s.skipped()) {
                    out.printf(Locale.ROOT, "step %d/%d | epoch %d | SKIPPED: %s%n", s.step(), s.totalSteps(), s.epoch() + 1,
                            s.problem());
                } else if (s.step() % every == 0 || s.step() == s.totalSteps() || s.step() == 1) {
                    out.printf(Locale.ROOT, "step %d/%d | epoch %d | loss %.4f | %.0f samples/s | lr %.3g | eta %s%n",
                            s.step(), s.totalSteps(), s.epoch() + 1, s.loss(), s.samplesPerSecond(), s.learningRate(),
                            format(eta));
                }
                out.flush();
            }

            @Override
            public void onEpoch(int epoch, Evaluator.Metrics v) {
                if (v != null) {
                    out.printf(Locale.ROOT, "epoch %d | validation loss %.4f | validation accuracy %.4f%n", epoch + 1,
                            v.meanLoss(), v.accuracy());
                    out.flush();
                }
            }
        };
    }

    static String format(double seconds) {
        if (!Double.isFinite(seconds)) {
            return "?";
        }
        Duration d = Duration.ofMillis((long) (seconds * 1000));
        return String.format(Locale.ROOT, "%d:%02d:%02d", d.toHours(), d.toMinutesPart(), d.toSecondsPart());
    }
}
