package io.sparkgrad.examples;

import io.sparkgrad.spark.DataLoader;
import io.sparkgrad.spark.Sample;
import io.sparkgrad.spark.TargetScale;
import org.apache.spark.api.java.JavaRDD;

/**
 * How {@code train} holds rows out: the training, validation (evaluated after every epoch) and
 * test (evaluated once, at the end) sets, and the standardisation of a regression target with the
 * training rows' statistics only.
 */
final class Splits {
    private Splits() {
    }

    /**
     * The rows split into training, validation and test sets, {@code 1 - v - t}, {@code v} and
     * {@code t} of them (a fraction of 0 gives an empty set); deterministic for a given seed and
     * input partitioning, so a test can rebuild the same split.
     */
    static DataLoader.Loaded[] of(DataLoader.Loaded all, double validation, double test, long seed) {
        return all.split(new double[] {1 - validation - test, validation, test}, seed);
    }

    /** The weighted mean and standard deviation of the training target, fitted on {@code train} only. */
    static TargetScale fitTargetScale(JavaRDD<Sample> train) {
        double[] s = train.map(r -> new double[] {r.weight(), r.weight() * (double) r.label(),
                r.weight() * (double) r.label() * r.label()}).reduce((a, b) -> new double[] {a[0] + b[0], a[1] + b[1], a[2] + b[2]});
        return TargetScale.fromSums(s[0], s[1], s[2]);
    }

    static DataLoader.Loaded scaleTarget(DataLoader.Loaded d, TargetScale t) {
        return new DataLoader.Loaded(d.samples().map(r -> new Sample(r.features(), t.standardize(r.label()), r.weight())),
                d.dim(), d.source(), d.weighted());
    }
}
