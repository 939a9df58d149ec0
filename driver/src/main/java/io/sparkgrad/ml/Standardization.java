package io.sparkgrad.ml;

import io.sparkgrad.spark.Sample;
import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.linalg.Vector;

/**
 * The feature scaling a model was trained with: {@code x'_j = (x_j - mean_j) / std_j}, computed in
 * double and then rounded to float (the engine's precision). A feature with standard deviation 0
 * (or not finite) is only centred. {@link #identity} leaves features as they are (standardization
 * off). Both the training rows and every row the model scores go through {@link #apply}, so the
 * model sees the same numbers in training and in {@code transform}.
 *
 * <p>{@link #fit} computes the statistics from training rows with the sample standard deviation
 * ({@code n - 1} in the denominator), as MLlib's {@code StandardScaler} and {@code Summarizer} do;
 * the CLI's {@code train} fits it on the training split and the saved model carries it.
 */
public final class Standardization implements Serializable {
    private static final long serialVersionUID = 1L;

    private final double[] mean;
    private final double[] std;

    /** Scaling by these means and standard deviations (copied). */
    public Standardization(double[] mean, double[] std) {
        if (mean.length != std.length) {
            throw new IllegalArgumentException(mean.length + " means but " + std.length + " standard deviations");
        }
        this.mean = mean.clone();
        this.std = std.clone();
    }

    /** No scaling, for {@code dim} features. */
    public static Standardization identity(int dim) {
        double[] ones = new double[dim];
        Arrays.fill(ones, 1.0);
        return new Standardization(new double[dim], ones);
    }

    /**
     * The mean and sample standard deviation of each of the {@code dim} features of {@code rows},
     * in one pass (sums and sums of squares in double); an empty RDD is refused.
     */
    public static Standardization fit(JavaRDD<Sample> rows, int dim) {
        double[] sums = rows.mapPartitions(it -> {
            double[] s = new double[2 * dim + 1];
            while (it.hasNext()) {
                float[] x = it.next().features();
                for (int j = 0; j < dim; j++) {
                    s[j] += x[j];
                    s[dim + j] += (double) x[j] * x[j];
                }
                s[2 * dim]++;
            }
            return List.of(s).iterator();
        }).fold(new double[2 * dim + 1], (a, b) -> {
            double[] c = a.clone();
            for (int i = 0; i < c.length; i++) {
                c[i] += b[i];
            }
            return c;
        });
        double n = sums[2 * dim];
        if (n == 0) {
            throw new IllegalArgumentException("cannot standardise: there are no training rows");
        }
        double[] mean = new double[dim];
        double[] std = new double[dim];
        for (int j = 0; j < dim; j++) {
            double m = sums[j] / n;
            double ss = Math.max(0, sums[dim + j] - n * m * m);
            mean[j] = m;
            std[j] = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
        }
        return new Standardization(mean, std);
    }

    /** The number of features. */
    public int dim() {
        return mean.length;
    }

    /** The feature means (a copy). */
    public double[] mean() {
        return mean.clone();
    }

    /** The feature standard deviations (a copy). */
    public double[] std() {
        return std.clone();
    }

    /** The scaled features of {@code x}: the same numbers {@link #apply(Vector)} gives for {@code x} as doubles. */
    public float[] apply(float[] x) {
        int d = mean.length;
        if (x.length != d) {
            throw new IllegalArgumentException("a row has " + x.length + " features; the model takes " + d);
        }
        float[] out = new float[d];
        for (int j = 0; j < d; j++) {
            out[j] = scaled((double) x[j], j);
        }
        return out;
    }

    /** {@code rows} with their features scaled, labels and weights kept. */
    public JavaRDD<Sample> apply(JavaRDD<Sample> rows) {
        Standardization z = this;
        return rows.map(r -> new Sample(z.apply(r.features()), r.label(), r.weight()));
    }

    private float scaled(double v, int j) {
        double s = std[j];
        double c = v - mean[j];
        return (float) (s > 0 && Double.isFinite(s) ? c / s : c);
    }

    /** Writes row {@code row} of a block: the scaled features of {@code v} at {@code out[row * dim]}. */
    void apply(Vector v, float[] out, int row) {
        int d = mean.length;
        if (v.size() != d) {
            throw new IllegalArgumentException("a features vector has " + v.size() + " values; the model takes " + d);
        }
        int off = row * d;
        for (int j = 0; j < d; j++) {
            out[off + j] = scaled(v.apply(j), j);
        }
    }

    /** The scaled features of {@code v}. */
    public float[] apply(Vector v) {
        float[] out = new float[mean.length];
        apply(v, out, 0);
        return out;
    }
}
