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
 * <p>Lifecycle: {@link #empty} (zero; nothing allocated) → the first add keeps its values as
 * float (exact, so a one-micro-batch partition never allocates a double accumulator) → further
 * adds and merges open the double accumulator → {@link #seal} (float values, accumulator dropped;
 * further adds or merges reopen it from the float values). Memory per task for a {@code d}-value
 * gradient: {@code 4d} bytes for one micro-batch, {@code 12d} for more (it was {@code 12d} always).
 * The accumulator is {@code transient}: only sealed values are serialised.
 *
 * <p>Testable without Spark: {@link #empty}, {@link #add}, {@link #merge}, {@link #seal}.
 */
public final class GradientSum implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int dim;
    /**
     * The sealed (float32) gradient, exact while {@link #acc} is null; null while the sum is still
     * all zeros (nothing allocated until the first add).
     */
    private float[] gradient;
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
        this.dim = dim;
    }

    private GradientSum(float[] sealed) {
        this.dim = sealed.length;
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
        return add(new float[][] {grad}, lossSum, weightSum, n, where);
    }

    /**
     * As {@link #add(float[], double, double, long, String)}, with the flat gradient given as
     * consecutive pieces (each parameter's gradient, read in place), so no flat copy is made.
     */
    public GradientSum add(float[][] pieces, double lossSum, double weightSum, long n, String where) {
        return add(pieces, lossSum, weightSum, n, () -> where);
    }

    /**
     * As {@link #add(float[][], double, double, long, String)}, with the place of a non-finite value
     * made only when there is one (naming the rows may need a forward pass: {@link PartitionGradient}).
     */
    GradientSum add(float[][] pieces, double lossSum, double weightSum, long n, java.util.function.Supplier<String> where) {
        long len = 0;
        for (float[] p : pieces) {
            len += p.length;
        }
        if (len != dim) {
            throw new IllegalArgumentException("GradientSum.add: gradient of dimension " + len
                    + " into a sum of dimension " + dim);
        }
        if (!Double.isFinite(lossSum) || !allFinite(pieces)) {
            if (nonFinite == null) {
                String at = where.get();
                nonFinite = (Double.isFinite(lossSum) ? "non-finite gradient" : "non-finite loss " + lossSum) + " at "
                        + (at == null ? "an unnamed micro-batch" : at);
            }
            count += n;
            weight += weightSum;
            return this;
        }
        if (acc == null && gradient == null) {
            // the first values into a zero sum are exact as float: no double accumulator yet (a
            // partition of one micro-batch never makes one). + 0f turns -0 into +0, as 0.0 + g did.
            float[] g = new float[dim];
            int off = 0;
            for (float[] p : pieces) {
                for (int i = 0; i < p.length; i++) {
                    g[off + i] = p[i] + 0f;
                }
                off += p.length;
            }
            gradient = g;
        } else {
            double[] a = open();
            int off = 0;
            for (float[] p : pieces) {
                for (int i = 0; i < p.length; i++) {
                    a[off + i] += p[i];
                }
                off += p.length;
            }
        }
        loss += lossSum;
        weight += weightSum;
        count += n;
        return this;
    }

    /** Whether every value of every piece is finite. */
    private static boolean allFinite(float[][] pieces) {
        for (float[] p : pieces) {
            for (float v : p) {
                if (!Float.isFinite(v)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Adds {@code n} rows the model classified right (a classification step's running accuracy). */
    public GradientSum addCorrect(long n) {
        correct += n;
        return this;
    }

    /** Adds {@code other} into this sum; dimensions must match. */
    public GradientSum merge(GradientSum other) {
        if (other.dim != dim) {
            throw new IllegalArgumentException("GradientSum.merge: dimension " + dim + " and "
                    + other.dim + " differ");
        }
        if (other.acc != null) {
            double[] a = open();
            double[] o = other.acc;
            for (int i = 0; i < a.length; i++) {
                a[i] += o[i];
            }
        } else if (other.gradient != null) {
            double[] a = open();
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
            acc = new double[dim];
            if (gradient != null) {
                for (int i = 0; i < acc.length; i++) {
                    acc[i] = gradient[i];
                }
            }
        }
        return acc;
    }

    /**
     * Rounds the accumulated gradient to float32 (once) and drops the accumulator; what is
     * shipped or handed on is always sealed. Idempotent; returns {@code this}.
     */
    public GradientSum seal() {
        if (gradient == null) {
            gradient = new float[dim];
        }
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

    /**
     * Values {@code [from, to)} of this sum, sealed first, as a new sealed sum; with this sum's loss,
     * weight, counts and non-finite note when {@code withTotals}, else with zero totals (the slices
     * of {@link ChunkedCombine}: only chunk 0 carries them, so summing slices sums them once).
     */
    GradientSum slice(int from, int to, boolean withTotals) {
        float[] v = java.util.Arrays.copyOfRange(seal().gradient, from, to);
        return withTotals ? of(v, loss, weight, count, correct, nonFinite) : of(v, 0, 0, 0, 0, null);
    }

    /** Whether the sum is sealed (float values, no accumulator). */
    public boolean sealed() {
        return acc == null;
    }

    public int dim() {
        return dim;
    }

    /** A copy of the summed gradient (the accumulator's values, or the sealed ones widened). */
    public double[] gradient() {
        double[] out = new double[dim];
        if (acc != null) {
            System.arraycopy(acc, 0, out, 0, out.length);
        } else if (gradient != null) {
            for (int i = 0; i < out.length; i++) {
                out[i] = gradient[i];
            }
        }
        return out;
    }

    /** The summed gradient times {@code scale} (in double), as float (the optimizer's input). */
    public float[] scaledGradient(double scale) {
        float[] out = new float[dim];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) ((acc != null ? acc[i] : gradient != null ? gradient[i] : 0) * scale);
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
