package io.sparkgrad.spark.metrics;

import java.util.ArrayList;
import java.util.List;

/**
 * One row of the metrics CSV: the training step and epoch and optional measurements. A null
 * measurement is absent and written as an empty cell; non-finite values (a diverged loss) are real
 * values and written as {@code NaN}, {@code Infinity} or {@code -Infinity}.
 *
 * @param step          the global optimizer step (>= 0)
 * @param epoch         the epoch (>= 0)
 * @param loss          training loss of the step, or null
 * @param samplesPerSec training throughput, or null
 * @param learningRate  learning rate used by the step, or null
 * @param gradNorm      global L2 norm of the gradient, or null
 * @param valLoss       validation loss (usually once per epoch), or null
 * @param valAccuracy   validation accuracy in [0, 1], or null
 */
public record MetricsRow(long step, int epoch, Double loss, Double samplesPerSec, Double learningRate,
        Double gradNorm, Double valLoss, Double valAccuracy) {

    /** The CSV header, in column order. */
    public static final String HEADER = "step,epoch,loss,samples_per_sec,learning_rate,grad_norm,val_loss,val_accuracy";

    public MetricsRow {
        if (step < 0) {
            throw new IllegalArgumentException("MetricsRow: step must be >= 0, got " + step);
        }
        if (epoch < 0) {
            throw new IllegalArgumentException("MetricsRow: epoch must be >= 0, got " + epoch);
        }
    }

    /** A training row without validation metrics; any measurement may be null. */
    public static MetricsRow training(long step, int epoch, Double loss, Double samplesPerSec, Double learningRate,
            Double gradNorm) {
        return new MetricsRow(step, epoch, loss, samplesPerSec, learningRate, gradNorm, null, null);
    }

    /** This row with validation loss and accuracy set. */
    public MetricsRow withValidation(Double valLoss, Double valAccuracy) {
        return new MetricsRow(step, epoch, loss, samplesPerSec, learningRate, gradNorm, valLoss, valAccuracy);
    }

    /** The row as one CSV line (no line terminator). */
    public String toCsv() {
        return step + "," + epoch + "," + cell(loss) + "," + cell(samplesPerSec) + "," + cell(learningRate) + ","
                + cell(gradNorm) + "," + cell(valLoss) + "," + cell(valAccuracy);
    }

    private static String cell(Double v) {
        return v == null ? "" : Double.toString(v);
    }

    /** Parses a line written by {@link #toCsv()}. */
    public static MetricsRow parseCsv(String line) {
        List<String> cells = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= line.length(); i++) {
            if (i == line.length() || line.charAt(i) == ',') {
                cells.add(line.substring(start, i).trim());
                start = i + 1;
            }
        }
        if (cells.size() != 8) {
            throw new IllegalArgumentException("metrics row needs 8 cells, got " + cells.size() + ": " + line);
        }
        try {
            return new MetricsRow(Long.parseLong(cells.get(0)), Integer.parseInt(cells.get(1)), num(cells.get(2)),
                    num(cells.get(3)), num(cells.get(4)), num(cells.get(5)), num(cells.get(6)), num(cells.get(7)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad metrics row: " + line, e);
        }
    }

    private static Double num(String s) {
        return s.isEmpty() ? null : Double.valueOf(s);
    }
}
