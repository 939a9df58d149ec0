package io.sparkgrad.spark;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The console's progress lines:
 * <pre>
 *   step 12/300 | epoch 1 | loss 0.4321 | 12345 samples/s | lr 0.005 | eta 0:01:23
 *   epoch 3/30 | train loss 0.2100 | train accuracy 0.9400 | validation loss 0.2500 | validation accuracy 0.9300
 *   epoch 3/30 | train loss 0.2100 | validation loss 0.2500 | validation RMSE 3.21 | MAE 2.40 | R2 0.8100
 *   done: 300 steps, 30 epochs in 0:00:17 | train loss 0.0500 | validation loss 0.1000 | validation accuracy 0.9700
 * </pre>
 * Two modes. Every {@code every} steps: a step line every {@code every} steps and at the first and
 * last, and every epoch's line. Or every {@code intervalSeconds} of wall time (when
 * {@code every} is 0): the first step's line, then at most one line per interval, and always the
 * last epoch's line. When epochs are shorter than the interval, the line is that of the first
 * epoch to end once the interval has passed (it carries the validation metrics); when they are
 * longer (or none has ended yet), it is the step's line once the interval has passed, and each
 * epoch's line too. Both print skipped
 * steps as they happen and end with the summary. Regression lines show RMSE, MAE and R² (in the
 * target's units) and never an accuracy.
 */
final class ConsoleProgress implements ProgressListener {
    private final PrintStream out;
    private final int every;
    private final long intervalNanos;
    private final LongSupplier clock;
    private long startNanos;
    private long lastPrint;
    private long firstStep = 1;
    private StepRecord lastStep;
    private EpochRecord lastEpoch;
    private long lastEpochEnd;
    /** The wall time of the last epoch, 0 before one has ended. */
    private long epochNanos;

    ConsoleProgress(PrintStream out, int every, double intervalSeconds, LongSupplier clock) {
        this.out = out;
        this.every = every;
        this.intervalNanos = (long) (intervalSeconds * 1e9);
        this.clock = clock;
        this.startNanos = clock.getAsLong();
        this.lastPrint = startNanos;
        this.lastEpochEnd = startNanos;
    }

    private boolean timed() {
        return every == 0;
    }

    private boolean due() {
        return clock.getAsLong() - lastPrint >= intervalNanos;
    }

    private void printed() {
        lastPrint = clock.getAsLong();
        out.flush();
    }

    @Override
    public void onStart(long first, long totalSteps) {
        firstStep = first;
        startNanos = clock.getAsLong();
        lastPrint = startNanos;
        lastEpochEnd = startNanos;
    }

    @Override
    public void onStep(StepRecord s, double eta) {
        lastStep = s;
        if (s.skipped()) {
            out.printf(Locale.ROOT, "step %d/%d | epoch %d | SKIPPED: %s%n", s.step(), s.totalSteps(), s.epoch() + 1,
                    s.problem());
            printed();
            return;
        }
        boolean print = timed()
                ? s.step() == firstStep || (due() && !endsEpochSoon(s) && !(epochNanos > 0 && epochNanos <= intervalNanos))
                : s.step() % every == 0 || s.step() == s.totalSteps() || s.step() == firstStep;
        if (print) {
            // an L-BFGS iteration has no learning rate (NaN): its line search chooses the step length
            String lr = Double.isNaN(s.learningRate()) ? "line search"
                    : String.format(Locale.ROOT, "lr %.3g", s.learningRate());
            out.printf(Locale.ROOT, "step %d/%d | epoch %d | loss %.4f | %.0f samples/s | %s | eta %s%n",
                    s.step(), s.totalSteps(), s.epoch() + 1, s.loss(), s.samplesPerSecond(), lr,
                    ProgressListener.format(eta));
            printed();
        }
    }

    /** In timed mode a step that is also the last of the run leaves its line to the epoch's. */
    private static boolean endsEpochSoon(StepRecord s) {
        return s.step() == s.totalSteps();
    }

    @Override
    public void onEpoch(EpochRecord e) {
        lastEpoch = e;
        long now = clock.getAsLong();
        epochNanos = now - lastEpochEnd;
        lastEpochEnd = now;
        boolean lastOne = lastStep != null && lastStep.step() == lastStep.totalSteps();
        if (!timed() || lastOne || due() || epochNanos > intervalNanos) { // a long epoch's end is always shown
            out.println(epochLine(e));
            printed();
        }
    }

    @Override
    public void onFinish() {
        StringBuilder b = new StringBuilder();
        long steps = lastStep == null ? 0 : lastStep.step() - firstStep + 1;
        b.append(String.format(Locale.ROOT, "done: %d steps, %d epochs in %s", steps,
                lastEpoch == null ? 0 : lastEpoch.epoch() + 1, ProgressListener.format((clock.getAsLong() - startNanos) / 1e9)));
        if (lastEpoch != null) {
            b.append(metrics(lastEpoch));
        }
        out.println(b);
        out.flush();
    }

    static String epochLine(EpochRecord e) {
        return String.format(Locale.ROOT, "epoch %d/%d", e.epoch() + 1, e.epochs()) + metrics(e);
    }

    /** {@code | train loss ... | validation ...} of an epoch. */
    static String metrics(EpochRecord e) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, " | train loss %.4f", e.trainLoss()));
        if (!Double.isNaN(e.trainAccuracy())) {
            b.append(String.format(Locale.ROOT, " | train accuracy %.4f", e.trainAccuracy()));
        }
        Evaluator.Metrics v = e.validation();
        if (v != null) {
            b.append(String.format(Locale.ROOT, " | validation loss %.4f", v.meanLoss()));
            if (v.isClassification()) {
                b.append(String.format(Locale.ROOT, " | validation accuracy %.4f", v.accuracy()));
            } else if (v.regression() != null) {
                RegressionMetrics r = v.regression();
                b.append(String.format(Locale.ROOT, " | validation RMSE %.4g | MAE %.4g | R2 %.4f", r.rmse(), r.mae(), r.r2()));
            }
        }
        return b.toString();
    }
}
