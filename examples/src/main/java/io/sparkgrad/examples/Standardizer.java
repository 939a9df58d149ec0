package io.sparkgrad.examples;

import io.sparkgrad.spark.Sample;
import java.io.Serializable;
import org.apache.spark.api.java.JavaRDD;

/**
 * Per-feature standardisation {@code (x - mean) / std} with statistics from the training rows only
 * (like MLlib's {@code StandardScaler} with mean and std); a constant feature is centred only.
 */
final class Standardizer implements Serializable {
    private static final long serialVersionUID = 1L;

    private final float[] mean;
    private final float[] scale;

    private Standardizer(float[] mean, float[] scale) {
        this.mean = mean;
        this.scale = scale;
    }

    static Standardizer fit(JavaRDD<Sample> rows, int dim) {
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
            return java.util.List.of(s).iterator();
        }).reduce((a, b) -> {
            double[] c = a.clone();
            for (int i = 0; i < c.length; i++) {
                c[i] += b[i];
            }
            return c;
        });
        double n = sums[2 * dim];
        float[] mean = new float[dim];
        float[] scale = new float[dim];
        for (int j = 0; j < dim; j++) {
            double m = sums[j] / n;
            double var = Math.max(0, sums[dim + j] / n - m * m);
            mean[j] = (float) m;
            scale[j] = var > 1e-12 ? (float) (1 / Math.sqrt(var)) : 1f;
        }
        return new Standardizer(mean, scale);
    }

    JavaRDD<Sample> apply(JavaRDD<Sample> rows) {
        float[] m = mean;
        float[] s = scale;
        return rows.map(r -> {
            float[] x = r.features().clone();
            for (int j = 0; j < x.length; j++) {
                x[j] = (x[j] - m[j]) * s[j];
            }
            return new Sample(x, r.label(), r.weight());
        });
    }
}
