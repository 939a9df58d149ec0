package io.sparkgrad.spark;

import java.io.Serializable;

/**
 * One training row for the {@code JavaRDD} input path: features, a label and a weight (1 for none).
 * A plain final class rather than a record: the Kryo that ships with Spark cannot write records.
 */
public final class Sample implements Serializable {
    private static final long serialVersionUID = 1L;

    private final float[] features;
    private final float label;
    private final float weight;

    public Sample(float[] features, float label, float weight) {
        this.features = features;
        this.label = label;
        this.weight = weight;
    }

    public Sample(float[] features, float label) {
        this(features, label, 1f);
    }

    public float[] features() {
        return features;
    }

    public float label() {
        return label;
    }

    public float weight() {
        return weight;
    }
}
