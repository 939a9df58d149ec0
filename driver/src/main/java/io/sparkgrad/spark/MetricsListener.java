package io.sparkgrad.spark;

import io.sparkgrad.spark.metrics.MetricsRow;
import io.sparkgrad.spark.metrics.MetricsWriter;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Writes every step to a metrics CSV and, at the end, the loss curve as a PNG; both through
 * Hadoop's FileSystem, so any Hadoop path works. The epoch column is 1-based, as the console's.
 * Each epoch's last row also carries the epoch's training loss (and accuracy for a classifier) and
 * the validation loss with the validation accuracy, or for a regression the validation RMSE, MAE
 * and R² in the target's units (no accuracy).
 */
public final class MetricsListener implements ProgressListener {
    private final MetricsWriter writer;
    private final String pngPath;
    private MetricsRow pending;

    public MetricsListener(String csvPath, String pngPath, org.apache.hadoop.conf.Configuration conf) {
        try {
            this.writer = new MetricsWriter(csvPath, conf);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the metrics file " + csvPath + ": " + e.getMessage(), e);
        }
        this.pngPath = pngPath;
    }

    /** A resumed run redoes the steps after its checkpoint: their old rows go first. */
    @Override
    public void onStart(long firstStep, long totalSteps) {
        try {
            writer.dropFrom(firstStep);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rewrite the metrics file: " + e.getMessage(), e);
        }
    }

    @Override
    public void onStep(StepRecord s, double eta) {
        flush();
        pending = MetricsRow.training(s.step(), s.epoch() + 1, s.skipped() ? null : s.loss(), s.samplesPerSecond(),
                s.learningRate(), s.skipped() ? null : s.gradNorm());
    }

    @Override
    public void onEpoch(EpochRecord e) {
        if (pending == null) {
            return;
        }
        pending = pending.withTraining(finite(e.trainLoss()), finite(e.trainAccuracy()));
        Evaluator.Metrics v = e.validation();
        if (v != null) {
            pending = pending.withValidation(v.meanLoss(), v.isClassification() ? finite(v.accuracy()) : null);
            RegressionMetrics r = v.regression();
            if (r != null) {
                pending = pending.withRegression(r.rmse(), r.mae(), finite(r.r2()));
            }
        }
    }

    private static Double finite(double v) {
        return Double.isNaN(v) ? null : v;
    }

    @Override
    public void onFinish() {
        flush();
        try {
            writer.writeLossPlot(pngPath);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the loss plot " + pngPath + ": " + e.getMessage(), e);
        }
    }

    private void flush() {
        if (pending != null) {
            try {
                writer.append(pending);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot append to the metrics file: " + e.getMessage(), e);
            }
            pending = null;
        }
    }
}
