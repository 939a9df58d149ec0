package io.sparkgrad.spark;

import java.io.Serializable;

/**
 * The partition-side sum, in the manner of MLlib's {@code DifferentiableLossAggregator}: one flat
 * gradient buffer (the layout of {@code ParameterTuple.flatten()}), the weighted loss sum, the
 * weight sum, the sample count, and the first non-finite value seen (partition and rows). Sums are
 * kept in double. Add and merge are in place and return {@code this}; merging is exact given
 * the order, and {@link TreeReduce} fixes that order so runs are bitwise reproducible.
 *
 * <p>Testable without Spark: {@link #empty}, {@link #add}, {@link #merge}.
 */
public final class GradientSum implements Serializable {
    private static final long serialVersionUID = 1L;

    private final double[] gradient;
    private double loss;
    private double weight;
    private long count;
    /** Where the first non-finite gradient or loss was seen, or null. */
    private String nonFinite;

    private GradientSum(double[] gradient) {
        this.gradient = gradient;
    }

    /** A zero sum over {@code dim} gradient values. */
    public static GradientSum empty(int dim) {
        if (dim < 0) {
            throw new IllegalArgumentException("GradientSum: negative dimension " + dim);
        }
        return new GradientSum(new double[dim]);
    }

    /**
     * Adds one micro-batch: its flat gradient (of {@code sum_i w_i loss_i}), its weighted loss sum,
     * weight sum and sample count. A non-finite gradient or loss is recorded with {@code where}
     * (partition and rows; the caller may pass null and a description is made) instead of being
     * added.
     */
    public GradientSum add(float[] grad, double lossSum, double weightSum, long n, String where) {
        if (grad.length != gradient.length) {
            throw new IllegalArgumentException("GradientSum.add: gradient of dimension " + grad.length
                    + " into a sum of dimension " + gradient.length);
        }
        boolean finite = Double.isFinite(lossSum);
        for (int i = 0; finite && i < grad.length; i++) {
            finite = Float.isFinite(grad[i]);
        }
        if (!finite) {
            if (nonFinite == null) {
                nonFinite = (Double.isFinite(lossSum) ? "non-finite gradient" : "non-finite loss " + lossSum) + " at "
                        + (where == null ? "an unnamed micro-batch" : where);
            }
            count += n;
            weight += weightSum;
            return this;
        }
        for (int i = 0; i < grad.length; i++) {
            gradient[i] += grad[i];
        }
        loss += lossSum;
        weight += weightSum;
        count += n;
        return this;
    }

    /** Adds {@code other} into this sum; dimensions must match. */
    public GradientSum merge(GradientSum other) {
        if (other.gradient.length != gradient.length) {
            throw new IllegalArgumentException("GradientSum.merge: dimension " + gradient.length + " and "
                    + other.gradient.length + " differ");
        }
        for (int i = 0; i < gradient.length; i++) {
            gradient[i] += other.gradient[i];
        }
        loss += other.loss;
        weight += other.weight;
        count += other.count;
        if (nonFinite == null) {
            nonFinite = other.nonFinite;
        }
        return this;
    }

    public int dim() {
        return gradient.length;
    }

    /** A copy of the summed gradient. */
    public double[] gradient() {
        return gradient.clone();
    }

    /** The summed gradient times {@code scale}, as float (the optimizer's input). */
    public float[] scaledGradient(double scale) {
        float[] out = new float[gradient.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (gradient[i] * scale);
        }
        return out;
    }

    /** The weighted loss sum. */
    public double loss() {
        return loss;
    }

    /** The weight sum (the sample count when there are no weights). */
    public double weight() {
        return weight;
    }

    public long count() {
        return count;
    }

    public boolean isFinite() {
        return nonFinite == null;
    }

    /** Where the first non-finite value was seen, or null. */
    public String nonFinite() {
        return nonFinite;
    }
}
