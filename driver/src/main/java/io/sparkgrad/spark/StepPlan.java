package io.sparkgrad.spark;

import java.io.Serializable;

/**
 * Which rows one step uses, decided identically on every executor and on every retry. Each
 * partition orders its rows for the epoch (a seeded shuffle of {@code (seed, epoch, partition)},
 * or storage order) and step {@code k} of {@code S} takes the k-th of S equal slices, so an epoch
 * visits every row exactly once and a full-batch plan ({@code S = 1}) takes all of them.
 */
public record StepPlan(long step, int epoch, int stepInEpoch, int stepsPerEpoch, long seed, boolean shuffle,
                       int microBatch) implements Serializable {
    private static final long serialVersionUID = 1L;

    public StepPlan {
        if (stepsPerEpoch < 1 || stepInEpoch < 0 || stepInEpoch >= stepsPerEpoch || microBatch < 1) {
            throw new IllegalArgumentException("StepPlan: step " + stepInEpoch + " of " + stepsPerEpoch
                    + " per epoch, micro-batch " + microBatch);
        }
    }

    /** A plan that uses every row once, in storage order. */
    public static StepPlan fullBatch(int microBatch) {
        return new StepPlan(0, 0, 0, 1, 0, false, microBatch);
    }

    /** The first row (inclusive) of this step's slice of a partition holding {@code n} rows. */
    public long from(long n) {
        return n * stepInEpoch / stepsPerEpoch;
    }

    /** The end (exclusive) of this step's slice of a partition holding {@code n} rows. */
    public long to(long n) {
        return n * (stepInEpoch + 1) / stepsPerEpoch;
    }

    /** The partition's row order for this epoch: a permutation of {@code [0, n)}. */
    public int[] order(int n, int partition) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        if (shuffle) {
            java.util.SplittableRandom r = new java.util.SplittableRandom(mix(seed, epoch, partition));
            for (int i = n - 1; i > 0; i--) { // Fisher-Yates
                int j = r.nextInt(i + 1);
                int t = idx[i];
                idx[i] = idx[j];
                idx[j] = t;
            }
        }
        return idx;
    }

    static long mix(long a, long b, long c) {
        long h = a * 0x9E3779B97F4A7C15L + b;
        h = (h ^ (h >>> 31)) * 0xBF58476D1CE4E5B9L + c;
        return h ^ (h >>> 29);
    }
}
