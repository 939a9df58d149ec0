package io.sparkgrad.spark;

import java.io.Serializable;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;

/**
 * Regression metrics of predictions {@code p_i} against targets {@code y_i} with weights
 * {@code w_i} ({@code W = sum_i w_i}):
 * <pre>
 *   MSE  = sum_i w_i (p_i - y_i)^2 / W        RMSE = sqrt(MSE)
 *   MAE  = sum_i w_i |p_i - y_i| / W
 *   R^2  = 1 - sum_i w_i (p_i - y_i)^2 / sum_i w_i (y_i - ybar)^2,   ybar = sum_i w_i y_i / W
 * </pre>
 * The sums are kept in double, per partition, and merged on the driver in partition order (one
 * distributed pass, as {@link Evaluator} does it). They are taken in the units of the data's
 * labels; when those are standardised ({@link TrainingData#targetScale()}), the metrics are
 * reported in the target's original units: {@code MSE * std^2}, {@code RMSE * std},
 * {@code MAE * std}; R² does not change.
 *
 * <p>Lifecycle: {@link #empty()}, then {@link #add} per row and {@link #merge} per partition,
 * then {@link #inUnitsOf} once on the driver; or {@link #of} for all of it.
 */
public final class RegressionMetrics implements Serializable {
    private static final long serialVersionUID = 1L;

    private double weight;
    private long count;
    private double squaredError;
    private double absoluteError;
    private double sumY;
    private double sumYY;
    /** The target scale the sums are reported in (two doubles: Kryo does not write records). */
    private double scaleMean;
    private double scaleStd = 1;

    /** No rows yet. */
    public static RegressionMetrics empty() {
        return new RegressionMetrics();
    }

    /**
     * The metrics of {@code predictions} (one array per block of {@code data}, in the same order
     * and partitioning, e.g. {@code data.blocks().map(...)}, in the units of the data's labels)
     * against the labels and weights of {@code data}, in the original units of its
     * {@link TrainingData#targetScale()}. One distributed pass.
     */
    public static RegressionMetrics of(TrainingData data, JavaRDD<float[]> predictions) {
        List<RegressionMetrics> parts = data.blocks().zip(predictions).mapPartitions(it -> {
            RegressionMetrics m = empty();
            while (it.hasNext()) {
                scala.Tuple2<DataBlock, float[]> t = it.next();
                DataBlock b = t._1();
                float[] p = t._2();
                if (p.length != b.rows) {
                    throw new IllegalArgumentException("RegressionMetrics: " + p.length + " predictions for a block of "
                            + b.rows + " rows");
                }
                for (int i = 0; i < b.rows; i++) {
                    m.add(p[i], b.labels[i], b.weight(i));
                }
            }
            return List.of(m).iterator();
        }).collect();
        return merged(parts.iterator()).inUnitsOf(data.targetScale());
    }

    static RegressionMetrics merged(Iterator<RegressionMetrics> parts) {
        RegressionMetrics total = empty();
        parts.forEachRemaining(total::merge);
        return total;
    }

    /**
     * The metrics of rows {@code {prediction, label}} or {@code {prediction, label, weight}}, in
     * one pass, in the rows' own units.
     */
    public static RegressionMetrics of(JavaRDD<double[]> predictionLabelWeight) {
        List<RegressionMetrics> parts = predictionLabelWeight.mapPartitions(it -> {
            RegressionMetrics m = empty();
            while (it.hasNext()) {
                double[] r = it.next();
                m.add(r[0], r[1], r.length > 2 ? r[2] : 1);
            }
            return List.of(m).iterator();
        }).collect();
        return merged(parts.iterator());
    }

    /** Adds one row: prediction {@code p}, target {@code y}, weight {@code w}. */
    public RegressionMetrics add(double p, double y, double w) {
        double e = p - y;
        weight += w;
        count++;
        squaredError += w * e * e;
        absoluteError += w * Math.abs(e);
        sumY += w * y;
        sumYY += w * y * y;
        return this;
    }

    /** Adds {@code o}'s sums into this (both in the same units). */
    public RegressionMetrics merge(RegressionMetrics o) {
        weight += o.weight;
        count += o.count;
        squaredError += o.squaredError;
        absoluteError += o.absoluteError;
        sumY += o.sumY;
        sumYY += o.sumYY;
        return this;
    }

    /** These sums, taken on targets standardised with {@code s}, reported in the original units. */
    public RegressionMetrics inUnitsOf(TargetScale s) {
        RegressionMetrics m = empty().merge(this);
        m.scaleMean = s.mean();
        m.scaleStd = s.std();
        return m;
    }

    /** The rows. */
    public long count() {
        return count;
    }

    /** The mean squared error, in the target's units squared; NaN with no weight. */
    public double mse() {
        return weight > 0 ? squaredError / weight * scaleStd * scaleStd : Double.NaN;
    }

    /** The root mean squared error, in the target's units. */
    public double rmse() {
        return Math.sqrt(mse());
    }

    /** The mean absolute error, in the target's units. */
    public double mae() {
        return weight > 0 ? absoluteError / weight * scaleStd : Double.NaN;
    }

    /** The coefficient of determination; NaN when the targets are constant. */
    public double r2() {
        double ybar = sumY / weight;
        double sst = sumYY - weight * ybar * ybar;
        return weight > 0 && sst > 0 ? 1 - squaredError / sst : Double.NaN;
    }

    /** The weighted mean target, in the target's units. */
    public double meanTarget() {
        return weight > 0 ? sumY / weight * scaleStd + scaleMean : Double.NaN;
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "MSE %.4g, RMSE %.4g, MAE %.4g, R2 %.4f on %d rows", mse(), rmse(),
                mae(), r2(), count);
    }
}
