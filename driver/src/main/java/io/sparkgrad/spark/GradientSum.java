package io.sparkgrad.spark;

import java.io.Serializable;

/**
 * The partition-side sum, in the manner of MLlib's {@code DifferentiableLossAggregator}: one flat
 * gradient buffer (the layout of {@code ParameterTuple.flatten()}), the weighted loss sum, the
 * weight sum, the sample count, and the first non-finite value seen (partition and rows). Add and
 * merge are in place and return {@code this}; {@link TreeReduce} fixes the order of merges so
 * runs are bitwise reproducible.
 *
 * <p>Precision. While a sum is being built ({@link #add}, {@link #merge}) its gradient is
 * accumulated in a {@code double[]}; what travels (task result, tree level) is {@link #seal}ed:
 * rounded once to a {@code float[]} of exactly the gradient's size, half the bytes of the double
 * partials it replaces. Each seal adds at most half a float ulp of that partial per element;
 * merges read sealed values exactly into double, so a reduction of {@code k} sealed partials
 * differs from all-double partials by at most {@code k * 2^-24 * max|partial|} per element
 * ({@code GradientPrecisionTest} measures it). Loss, weight and count stay double/long.
 *
 * <p>Lifecycle: {@link #empty} (open, double accumulator) → adds and merges → {@link #seal}
 * (float values, accumulator dropped; further adds or merges reopen it from the float values).
 * The accumulator is {@code transient}: only sealed values are serialised.
 *
 * <p>Testable without Spark: {@link #empty}, {@link #add}, {@link #merge}, {@link #seal}.
 */
public final class GradientSum implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The sealed (float32) gradient; exact while {@link #acc} is null. */
    private final float[] gradient;
    /** The open accumulator, or null once sealed (never serialised). */
    private transient double[] acc;
    private double loss;
    private double weight;
    private long count;
    /** Rows classified right by the model as the step saw them (classification losses). */
    private long correct;
    /** Where the first non-finite gradient or loss was seen, or null. */
    private String nonFinite;

    private GradientSum(int dim) {
        this.gradient = new float[dim];
        this.acc = new double[dim];
    }

    private GradientSum(float[] sealed) {
        this.gradient = sealed;
    }

    /** A zero sum over {@code dim} gradient values. */
    public static GradientSum empty(int dim) {
        if (dim < 0) {
            throw new IllegalArgumentException("GradientSum: negative dimension " + dim);
        }
        return new GradientSum(dim);
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
        double[] a = open();
        for (int i = 0; i < grad.length; i++) {
            a[i] += grad[i];
        }
        loss += lossSum;
        weight += weightSum;
        count += n;
        return this;
    }

    /** Adds {@code n} rows the model classified right (a classification step's running accuracy). */
    public GradientSum addCorrect(long n) {
        correct += n;
        return this;
    }

    /** Adds {@code other} into this sum; dimensions must match. */
    public GradientSum merge(GradientSum other) {
        if (other.gradient.length != gradient.length) {
            throw new IllegalArgumentException("GradientSum.merge: dimension " + gradient.length + " and "
                    + other.gradient.length + " differ");
        }
        double[] a = open();
        if (other.acc != null) {
            double[] o = other.acc;
            for (int i = 0; i < a.length; i++) {
                a[i] += o[i];
            }
        } else {
            float[] o = other.gradient;
            for (int i = 0; i < a.length; i++) {
                a[i] += o[i];
            }
        }
        loss += other.loss;
        weight += other.weight;
        count += other.count;
        correct += other.correct;
        if (nonFinite == null) {
            nonFinite = other.nonFinite;
        }
        return this;
    }

    /** The accumulator, reopened from the sealed values if needed. */
    private double[] open() {
        if (acc == null) {
            acc = new double[gradient.length];
            for (int i = 0; i < acc.length; i++) {
                acc[i] = gradient[i];
            }
        }
        return acc;
    }

    /**
     * Rounds the accumulated gradient to float32 (once) and drops the accumulator; what is
     * shipped or handed on is always sealed. Idempotent; returns {@code this}.
     */
    public GradientSum seal() {
        if (acc != null) {
            for (int i = 0; i < acc.length; i++) {
                gradient[i] = (float) acc[i];
            }
            acc = null;
        }
        return this;
    }

    /** Java serialisation ships the sealed values (an open sum is sealed first). */
    private void writeObject(java.io.ObjectOutputStream out) throws java.io.IOException {
        seal();
        out.defaultWriteObject();
    }

    /** For {@link SparkGradKryoRegistrator}'s serializer: the sealed values, sealing first. */
    float[] sealedValues() {
        return seal().gradient;
    }

    /** For {@link SparkGradKryoRegistrator}'s serializer: a sealed sum from its parts. */
    static GradientSum of(float[] values, double loss, double weight, long count, long correct, String nonFinite) {
        GradientSum s = new GradientSum(values);
        s.loss = loss;
        s.weight = weight;
        s.count = count;
        s.correct = correct;
        s.nonFinite = nonFinite;
        return s;
    }

    /** Whether the sum is sealed (float values, no accumulator). */
    public boolean sealed() {
        return acc == null;
    }

    public int dim() {
        return gradient.length;
    }

    /** A copy of the summed gradient (the accumulator's values, or the sealed ones widened). */
    public double[] gradient() {
        double[] out = new double[gradient.length];
        if (acc != null) {
            System.arraycopy(acc, 0, out, 0, out.length);
        } else {
            for (int i = 0; i < out.length; i++) {
                out[i] = gradient[i];
            }
        }
        return out;
    }

    /** The summed gradient times {@code scale} (in double), as float (the optimizer's input). */
    public float[] scaledGradient(double scale) {
        float[] out = new float[gradient.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) ((acc != null ? acc[i] : gradient[i]) * scale);
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

    /** The rows classified right (see {@link #addCorrect}). */
    public long correct() {
        return correct;
    }

    public boolean isFinite() {
        return nonFinite == null;
    }

    /** Where the first non-finite value was seen, or null. */
    public String nonFinite() {
        return nonFinite;
    }
}
