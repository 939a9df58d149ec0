package io.sparkgrad.spark.metrics;

import java.util.ArrayList;
import java.util.List;

/**
 * One row of the metrics CSV: the training step and epoch and optional measurements. A null
 * measurement is absent and written as an empty cell; non-finite values (a diverged loss) are real
 * values and written as {@code NaN}, {@code Infinity} or {@code -Infinity}. The per-epoch columns
 * ({@code train_*}, {@code val_*}) are set on each epoch's last step only. Accuracy columns are
 * empty for a regression, whose validation columns are RMSE, MAE and R² in the target's units.
 *
 * @param step          the global optimizer step (>= 0)
 * @param epoch         the epoch (>= 0); the trainer writes it 1-based, as the console prints it
 * @param loss          training loss of the step, or null
 * @param samplesPerSec training throughput, or null
 * @param learningRate  learning rate used by the step, or null
 * @param gradNorm      global L2 norm of the gradient, or null
 * @param valLoss       validation loss (usually once per epoch), or null
 * @param valAccuracy   validation accuracy in [0, 1], or null
 * @param trainLoss     the epoch's running training loss, or null
 * @param trainAccuracy the epoch's running training accuracy, or null
 * @param valRmse       validation root mean squared error (regression), or null
 * @param valMae        validation mean absolute error (regression), or null
 * @param valR2         validation coefficient of determination (regression), or null
 */
public record MetricsRow(long step, int epoch, Double loss, Double samplesPerSec, Double learningRate,
        Double gradNorm, Double valLoss, Double valAccuracy, Double trainLoss, Double trainAccuracy,
        Double valRmse, Double valMae, Double valR2) {

    /** The CSV header, in column order. */
    public static final String HEADER = "step,epoch,loss,samples_per_sec,learning_rate,grad_norm,val_loss,val_accuracy,"
            + "train_loss,train_accuracy,val_rmse,val_mae,val_r2";

    /** The header of earlier versions (its rows have the first 8 columns); read, then rewritten as {@link #HEADER}. */
    public static final String HEADER_V1 = "step,epoch,loss,samples_per_sec,learning_rate,grad_norm,val_loss,val_accuracy";

    private static final int CELLS = 13;
    private static final int CELLS_V1 = 8;

    /** A row without the per-epoch training and regression columns. */
    public MetricsRow(long step, int epoch, Double loss, Double samplesPerSec, Double learningRate, Double gradNorm,
            Double valLoss, Double valAccuracy) {
        this(step, epoch, loss, samplesPerSec, learningRate, gradNorm, valLoss, valAccuracy, null, null, null, null,
                null);
    }

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
        return new MetricsRow(step, epoch, loss, samplesPerSec, learningRate, gradNorm, valLoss, valAccuracy,
                trainLoss, trainAccuracy, valRmse, valMae, valR2);
    }

    /** This row with the epoch's training loss and accuracy set. */
    public MetricsRow withTraining(Double trainLoss, Double trainAccuracy) {
        return new MetricsRow(step, epoch, loss, samplesPerSec, learningRate, gradNorm, valLoss, valAccuracy,
                trainLoss, trainAccuracy, valRmse, valMae, valR2);
    }

    /** This row with the validation regression metrics set. */
    public MetricsRow withRegression(Double valRmse, Double valMae, Double valR2) {
        return new MetricsRow(step, epoch, loss, samplesPerSec, learningRate, gradNorm, valLoss, valAccuracy,
                trainLoss, trainAccuracy, valRmse, valMae, valR2);
    }

    /** The row as one CSV line (no line terminator). */
    public String toCsv() {
        return step + "," + epoch + "," + cell(loss) + "," + cell(samplesPerSec) + "," + cell(learningRate) + ","
                + cell(gradNorm) + "," + cell(valLoss) + "," + cell(valAccuracy) + "," + cell(trainLoss) + ","
                + cell(trainAccuracy) + "," + cell(valRmse) + "," + cell(valMae) + "," + cell(valR2);
    }

    private static String cell(Double v) {
        return v == null ? "" : Double.toString(v);
    }

    /** Parses a line written by {@link #toCsv()} (or an earlier version's 8 cells). */
    public static MetricsRow parseCsv(String line) {
        List<String> cells = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= line.length(); i++) {
            if (i == line.length() || line.charAt(i) == ',') {
                cells.add(line.substring(start, i).trim());
                start = i + 1;
            }
        }
        if (cells.size() != CELLS && cells.size() != CELLS_V1) {
            throw new IllegalArgumentException("metrics row needs " + CELLS + " cells, got " + cells.size() + ": " + line);
        }
        while (cells.size() < CELLS) {
            cells.add("");
        }
        try {
            return new MetricsRow(Long.parseLong(cells.get(0)), Integer.parseInt(cells.get(1)), num(cells.get(2)),
                    num(cells.get(3)), num(cells.get(4)), num(cells.get(5)), num(cells.get(6)), num(cells.get(7)),
                    num(cells.get(8)), num(cells.get(9)), num(cells.get(10)), num(cells.get(11)), num(cells.get(12)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad metrics row: " + line, e);
        }
    }

    private static Double num(String s) {
        return s.isEmpty() ? null : Double.valueOf(s);
    }
}
