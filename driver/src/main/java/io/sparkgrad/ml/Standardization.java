package io.sparkgrad.ml;

import java.io.Serializable;
import java.util.Arrays;
import org.apache.spark.ml.linalg.Vector;

/**
 * The feature scaling a model was trained with: {@code x'_j = (x_j - mean_j) / std_j}, computed in
 * double and then rounded to float (the engine's precision). A feature with standard deviation 0
 * (or not finite) is only centred. {@link #identity} leaves features as they are (standardization
 * off). Both the training rows and every row the model scores go through {@link #apply}, so the
 * model sees the same numbers in training and in {@code transform}.
 */
final class Standardization implements Serializable {
    private static final long serialVersionUID = 1L;

    private final double[] mean;
    private final double[] std;

    Standardization(double[] mean, double[] std) {
        if (mean.length != std.length) {
            throw new IllegalArgumentException(mean.length + " means but " + std.length + " standard deviations");
        }
        this.mean = mean.clone();
        this.std = std.clone();
    }

    /** No scaling, for {@code dim} features. */
    static Standardization identity(int dim) {
        double[] ones = new double[dim];
        Arrays.fill(ones, 1.0);
        return new Standardization(new double[dim], ones);
    }

    int dim() {
        return mean.length;
    }

    double[] mean() {
        return mean.clone();
    }

    double[] std() {
        return std.clone();
    }

    /** Writes row {@code row} of a block: the scaled features of {@code v} at {@code out[row * dim]}. */
    void apply(Vector v, float[] out, int row) {
        int d = mean.length;
        if (v.size() != d) {
            throw new IllegalArgumentException("a features vector has " + v.size() + " values; the model takes " + d);
        }
        int off = row * d;
        for (int j = 0; j < d; j++) {
            double s = std[j];
            double c = v.apply(j) - mean[j];
            out[off + j] = (float) (s > 0 && Double.isFinite(s) ? c / s : c);
        }
    }

    /** The scaled features of {@code v}. */
    float[] apply(Vector v) {
        float[] out = new float[mean.length];
        apply(v, out, 0);
        return out;
    }
}
