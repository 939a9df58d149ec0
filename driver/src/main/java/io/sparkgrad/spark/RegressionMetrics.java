package io.sparkgrad.spark;

import java.io.Serializable;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;

/**
 * Regression metrics of predictions {@code p_i} against labels {@code y_i} with weights
 * {@code w_i} (1 when unweighted), as MLlib's {@code RegressionMetrics} defines them:
 * <ul>
 *   <li>{@code MSE = sum w_i (p_i - y_i)^2 / W}, with {@code W = sum w_i};</li>
 *   <li>{@code RMSE = sqrt(MSE)};</li>
 *   <li>{@code MAE = sum w_i |p_i - y_i| / W};</li>
 *   <li>{@code R^2 = 1 - SSE / SST}, with {@code SSE = sum w_i (p_i - y_i)^2} and
 *       {@code SST = sum w_i (y_i - ybar)^2}, {@code ybar = sum w_i y_i / W}
 *       ({@code NaN} when the labels are all equal).</li>
 * </ul>
 * Sums are kept in double; {@link #add} then {@link #merge} partial sums, so the metrics of an
 * RDD are one pass ({@link #of}). Immutable values come from {@link #mse()} and the rest.
 */
public final class RegressionMetrics implements Serializable {
    private static final long serialVersionUID = 1L;

    private double weight;
    private double sse;
    private double sae;
    private double sy;
    private double syy;
    private long count;

    /** No rows yet. */
    public RegressionMetrics() {
    }

    /** Adds one row: prediction {@code p}, label {@code y}, weight {@code w}. */
    public RegressionMetrics add(double p, double y, double w) {
        double e = p - y;
        weight += w;
        sse += w * e * e;
        sae += w * Math.abs(e);
        sy += w * y;
        syy += w * y * y;
        count++;
        return this;
    }

    /** Adds {@code o}'s rows to these; returns this. */
    public RegressionMetrics merge(RegressionMetrics o) {
        weight += o.weight;
        sse += o.sse;
        sae += o.sae;
        sy += o.sy;
        syy += o.syy;
        count += o.count;
        return this;
    }

    /** The metrics of rows {@code {prediction, label}} or {@code {prediction, label, weight}}, one pass. */
    public static RegressionMetrics of(JavaRDD<double[]> predictionLabelWeight) {
        return predictionLabelWeight.mapPartitions(it -> {
            RegressionMetrics m = new RegressionMetrics();
            while (it.hasNext()) {
                double[] r = it.next();
                m.add(r[0], r[1], r.length > 2 ? r[2] : 1);
            }
            return List.of(m).iterator();
        }).fold(new RegressionMetrics(), (a, b) -> new RegressionMetrics().merge(a).merge(b));
    }

    /** The number of rows. */
    public long count() {
        return count;
    }

    /** Mean squared error. */
    public double mse() {
        return sse / weight;
    }

    /** Root mean squared error. */
    public double rmse() {
        return Math.sqrt(mse());
    }

    /** Mean absolute error. */
    public double mae() {
        return sae / weight;
    }

    /** The coefficient of determination, {@code 1 - SSE / SST}. */
    public double r2() {
        double mean = sy / weight;
        double sst = syy - weight * mean * mean;
        return sst > 0 ? 1 - sse / sst : Double.NaN;
    }
}
