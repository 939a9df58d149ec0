package io.sparkgrad.ml;

import java.io.Serializable;

/**
 * The scaling of a regression target during training: the model learned {@code (y - mean) / std},
 * so its raw output {@code z} is turned back into the label's units as {@code z * std + mean}
 * ({@link #unscale}). {@link #IDENTITY} ({@code mean 0, std 1}) is no scaling: the default, and
 * what a model saved before this field existed reads back as. Saved in the model's metadata as
 * {@code labelScale: {mean, std}}; only regression models apply it.
 *
 * @param mean the training targets' mean
 * @param std  the training targets' standard deviation, positive and finite
 */
public record LabelScale(double mean, double std) implements Serializable {
    /** No scaling. */
    public static final LabelScale IDENTITY = new LabelScale(0, 1);

    public LabelScale {
        if (!Double.isFinite(mean) || !(std > 0) || !Double.isFinite(std)) {
            throw new IllegalArgumentException("a label scale needs a finite mean and a positive finite std, got mean "
                    + mean + ", std " + std);
        }
    }

    /** The label scale of targets {@code y}: {@code y' = (y - mean) / std}. */
    public double scale(double y) {
        return (y - mean) / std;
    }

    /** A model output in the label's units: {@code z * std + mean}. */
    public double unscale(double z) {
        return z * std + mean;
    }

    /** True for {@link #IDENTITY}'s values. */
    public boolean isIdentity() {
        return mean == 0 && std == 1;
    }
}
