package io.sparkgrad.spark;

import java.io.Serializable;

/**
 * The standardisation of a regression target: a model is trained on {@code (y - mean) / std} and
 * its outputs {@code z} mean {@code z * std + mean} in the target's own units. {@link #IDENTITY}
 * ({@code mean 0, std 1}) is no scaling. Fitted on the training rows only (see
 * {@code RegressionMetrics}, which reports in the original units).
 *
 * @param mean the training target's weighted mean
 * @param std  the training target's weighted standard deviation, positive and finite
 */
public record TargetScale(double mean, double std) implements Serializable {
    /** No scaling. */
    public static final TargetScale IDENTITY = new TargetScale(0, 1);

    public TargetScale {
        if (!Double.isFinite(mean) || !(std > 0 && Double.isFinite(std))) {
            throw new IllegalArgumentException("target scale needs a finite mean and a positive finite std, got mean "
                    + mean + ", std " + std);
        }
    }

    /**
     * The scale of targets with weighted sums {@code sumW}, {@code sumWY} and {@code sumWYY}
     * (population variance); a constant target gets {@code std 1}, so it is centred only.
     */
    public static TargetScale fromSums(double sumW, double sumWY, double sumWYY) {
        if (!(sumW > 0)) {
            throw new IllegalArgumentException("target scale of rows with total weight " + sumW);
        }
        double m = sumWY / sumW;
        double var = Math.max(0, sumWYY / sumW - m * m);
        return new TargetScale(m, var > 1e-24 * Math.max(1, m * m) ? Math.sqrt(var) : 1);
    }

    /** {@code (y - mean) / std}. */
    public float standardize(double y) {
        return (float) ((y - mean) / std);
    }

    /** {@code z * std + mean}: a standardised value in the target's units. */
    public double original(double z) {
        return z * std + mean;
    }

    public boolean isIdentity() {
        return mean == 0 && std == 1;
    }
}
