package io.sparkgrad.spark;

import java.io.Serializable;

/** One training row for the {@code JavaRDD} input path: features, a label and a weight (1 for none). */
public record Sample(float[] features, float label, float weight) implements Serializable {
    public Sample(float[] features, float label) {
        this(features, label, 1f);
    }
}
