package io.sparkgrad.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The summation order without Spark: any arrival order gives the tree's result, bitwise. */
class TreeReduceTest {
    static GradientSum[] partials(int n, int dim, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        GradientSum[] out = new GradientSum[n];
        for (int p = 0; p < n; p++) {
            out[p] = GradientSum.empty(dim);
            for (int b = 0; b < 3; b++) {
                float[] g = new float[dim];
                for (int i = 0; i < dim; i++) {
                    g[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(-3, 4)));
                }
                out[p].add(g, r.nextDouble(), 2, 2, null);
            }
        }
        return out;
    }

    /** The order written out by hand: seal each partial, sum groups of g from zero, seal, sum groups, seal. */
    static float[] byHand(GradientSum[] parts, int g, int dim) {
        double[] total = new double[dim];
        for (int start = 0; start < parts.length; start += g) {
            double[] group = new double[dim];
            for (int p = start; p < Math.min(parts.length, start + g); p++) {
                double[] v = parts[p].seal().gradient();
                for (int i = 0; i < dim; i++) {
                    group[i] += v[i];
                }
            }
            for (int i = 0; i < dim; i++) {
                total[i] += g == 1 ? group[i] : (float) group[i];
            }
        }
        float[] out = new float[dim];
        for (int i = 0; i < dim; i++) {
            out[i] = (float) total[i];
        }
        return out;
    }

    static float[] values(GradientSum s) {
        double[] d = s.gradient();
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    @Test
    void groupSizesFollowTheDepth() {
        assertEquals(1, TreeReduce.groupSize(8, 1));
        assertEquals(3, TreeReduce.groupSize(8, 2)); // ceil(sqrt 8)
        assertEquals(2, TreeReduce.groupSize(8, 3)); // ceil(8^(1/3)), as treeAggregate
        assertEquals(4, TreeReduce.groupSize(16, 2));
        assertEquals(1, TreeReduce.groupSize(2, 2));
        assertEquals(3, TreeReduce.groups(8, 3));
    }

    @Test
    void anyArrivalOrderGivesTheTreeOrderBitwise() {
        int dim = 17;
        Random shuffler = new Random(3);
        for (int n : new int[] {1, 2, 5, 8, 13}) {
            for (int depth = 1; depth <= 3; depth++) {
                int g = TreeReduce.groupSize(n, depth);
                float[] expected = byHand(partials(n, dim, n * 31L + depth), g, dim);
                for (int trial = 0; trial < 5; trial++) {
                    GradientSum[] parts = partials(n, dim, n * 31L + depth);
                    List<Integer> order = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        order.add(i);
                    }
                    Collections.shuffle(order, shuffler);
                    TreeReduce.Combiner c = new TreeReduce.Combiner(n, g, dim);
                    for (int i : order) {
                        c.accept(i, parts[i]);
                    }
                    GradientSum got = c.result();
                    assertArrayEquals(expected, values(got), "n=" + n + " depth=" + depth + " order " + order);
                    assertEquals(n * 6L, got.count());
                }
            }
        }
    }

    @Test
    void groupsOnExecutorsThenCombinedOnTheDriverEqualTheDriverOnlySum() {
        int n = 8;
        int dim = 9;
        int g = TreeReduce.groupSize(n, 2);
        GradientSum driverOnly = TreeReduce.sumInOrder(partials(n, dim, 7), 2, dim);
        GradientSum[] parts = partials(n, dim, 7);
        TreeReduce.Combiner overGroups = new TreeReduce.Combiner(TreeReduce.groups(n, g), 1, dim);
        for (int grp = TreeReduce.groups(n, g) - 1; grp >= 0; grp--) { // the last group first
            GradientSum s = GradientSum.empty(dim);
            for (int p = grp * g; p < Math.min(n, (grp + 1) * g); p++) {
                s.merge(parts[p].seal());
            }
            overGroups.accept(grp, s.seal());
        }
        assertArrayEquals(values(driverOnly), values(overGroups.result()));
        // and the grouping matters: depth 1 (no groups) differs in the last bits for these values
        assertNotEquals(java.util.Arrays.toString(values(driverOnly)),
                java.util.Arrays.toString(values(TreeReduce.sumInOrder(partials(n, dim, 7), 1, dim))));
    }

    @Test
    void aDuplicateOrMissingItemIsAnError() {
        TreeReduce.Combiner c = new TreeReduce.Combiner(3, 1, 2);
        c.accept(1, GradientSum.empty(2));
        assertThrows(IllegalStateException.class, () -> c.accept(1, GradientSum.empty(2)));
        IllegalStateException e = assertThrows(IllegalStateException.class, c::result);
        assertTrue(e.getMessage().contains("0 of 3"), e.getMessage());
    }
}
