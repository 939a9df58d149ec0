package io.sparkgrad.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import scala.Tuple2;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The executor-side second level without Spark: group sums cut into chunks, the chunks shuffled
 * to their reduce task in any order, combined in group order, assembled in any order; bitwise
 * {@link TreeReduce#sumInOrder}.
 */
class ChunkedCombineTest {

    /** Plays the large path by hand: map side per group, a random shuffle, reduce per chunk, driver assembly. */
    static GradientSum chunked(GradientSum[] parts, int depth, int dim, int chunkValues, Random order) {
        int n = parts.length;
        int g = TreeReduce.groupSize(n, depth);
        int groups = TreeReduce.groups(n, g);
        int chunks = Math.max(1, (dim + chunkValues - 1) / chunkValues);
        ChunkedCombine.SliceGroup map = new ChunkedCombine.SliceGroup(groups, chunks, chunkValues);
        ChunkedCombine.ByChunk partitioner = new ChunkedCombine.ByChunk(groups, chunks);
        List<List<Tuple2<Integer, GradientSum>>> byChunk = new ArrayList<>();
        for (int k = 0; k < chunks; k++) {
            byChunk.add(new ArrayList<>());
        }
        List<Integer> groupOrder = shuffled(groups, order);
        for (int grp : groupOrder) {
            List<GradientSum> members = new ArrayList<>(Arrays.asList(parts).subList(grp * g, Math.min(n, (grp + 1) * g)));
            Iterator<Tuple2<Integer, GradientSum>> out = map.call(grp, members.iterator());
            out.forEachRemaining(t -> byChunk.get(partitioner.getPartition(t._1())).add(t));
        }
        ChunkedCombine.Assembly assembly = new ChunkedCombine.Assembly(dim, chunkValues, chunks);
        ChunkedCombine.CombineChunk reduce = new ChunkedCombine.CombineChunk(groups);
        for (int k : shuffled(chunks, order)) {
            List<Tuple2<Integer, GradientSum>> in = byChunk.get(k);
            Collections.shuffle(in, order);
            assertEquals(groups, in.size(), "chunk " + k);
            assembly.apply(k, reduce.apply(null, CollectionConverters.asScala(in.iterator())));
        }
        return assembly.result();
    }

    static List<Integer> shuffled(int n, Random r) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(i);
        }
        Collections.shuffle(out, r);
        return out;
    }

    @Test
    void chunksCombinedInAnyOrderGiveTheTreeOrderBitwise() {
        Random order = new Random(11);
        for (int n : new int[] {3, 5, 8, 13}) {
            for (int depth = 2; depth <= 4; depth++) {
                for (int dim : new int[] {1, 17, 64}) {
                    GradientSum expected = TreeReduce.sumInOrder(TreeReduceTest.partials(n, dim, n * 7L + depth), depth, dim);
                    for (int chunkValues : new int[] {1, 5, 16, dim, 1000}) {
                        GradientSum got = chunked(TreeReduceTest.partials(n, dim, n * 7L + depth), depth, dim, chunkValues, order);
                        String at = "n=" + n + " depth=" + depth + " dim=" + dim + " chunk=" + chunkValues;
                        assertArrayEquals(TreeReduceTest.values(expected), TreeReduceTest.values(got), at);
                        assertEquals(expected.loss(), got.loss(), at); // summed in group order too: bitwise
                        assertEquals(expected.weight(), got.weight(), at);
                        assertEquals(expected.count(), got.count(), at);
                        assertEquals(n * 6L, got.count(), at);
                        assertTrue(got.sealed(), at);
                    }
                }
            }
        }
    }

    /** 9 partitions at depth 2: groups {0-2}, {3-5}, {6-8}; partition 0 holds 1e20, 3 holds -1e20, 6 holds 1. */
    static GradientSum[] cancelling(int dim) {
        GradientSum[] parts = new GradientSum[9];
        for (int p = 0; p < parts.length; p++) {
            float[] v = new float[dim];
            Arrays.fill(v, p == 0 ? 1e20f : p == 3 ? -1e20f : p == 6 ? 1f : 0f);
            parts[p] = GradientSum.empty(dim).add(v, 1, 1, 1, null);
        }
        return parts;
    }

    @Test
    void theGroupOrderMatters() {
        // the check above could not fail if any order of the groups gave the same bits: in group
        // order 1e20 - 1e20 + 1 is 1; in reverse (as a combine in arrival order might add them)
        // 1 - 1e20 + 1e20 is 0
        int dim = 5;
        float[] ones = new float[dim];
        Arrays.fill(ones, 1f);
        assertArrayEquals(ones, TreeReduceTest.values(TreeReduce.sumInOrder(cancelling(dim), 2, dim)));
        for (int seed = 0; seed < 5; seed++) {
            assertArrayEquals(ones, TreeReduceTest.values(chunked(cancelling(dim), 2, dim, 2, new Random(seed))), "seed " + seed);
        }
        GradientSum[] parts = cancelling(dim);
        TreeReduce.Combiner reversed = new TreeReduce.Combiner(3, 1, dim);
        for (int grp = 0; grp < 3; grp++) {
            int from = (2 - grp) * 3;
            reversed.accept(grp, ChunkedCombine.sumGroup(Arrays.asList(parts).subList(from, from + 3).iterator()));
        }
        assertArrayEquals(new float[dim], TreeReduceTest.values(reversed.result()));
    }

    @Test
    void theTotalsAndTheFirstNonFiniteNoteTravelWithChunkZero() {
        int dim = 10;
        GradientSum[] parts = TreeReduceTest.partials(6, dim, 9);
        float[] bad = new float[dim];
        bad[3] = Float.NaN;
        parts[4].add(bad, 1, 1, 1, "partition 4, rows 0-0");
        parts[5].add(bad, 1, 1, 1, "partition 5, rows 0-0");
        parts[2].addCorrect(3);
        GradientSum expected = TreeReduce.sumInOrder(TreeReduceTest.partials(6, dim, 9), 2, dim);
        GradientSum got = chunked(parts, 2, dim, 3, new Random(4));
        assertEquals("non-finite gradient at partition 4, rows 0-0", got.nonFinite());
        assertEquals(3, got.correct());
        assertEquals(expected.count() + 2, got.count());
        assertArrayEquals(TreeReduceTest.values(expected), TreeReduceTest.values(got)); // non-finite values were not added
    }

    @Test
    void aMissingOrDuplicateChunkIsAnError() {
        ChunkedCombine.Assembly a = new ChunkedCombine.Assembly(5, 2, 3);
        a.apply(1, GradientSum.empty(2).seal());
        assertThrows(IllegalStateException.class, () -> a.apply(1, GradientSum.empty(2).seal()));
        assertThrows(IllegalStateException.class, () -> a.apply(2, GradientSum.empty(2).seal())); // the last chunk has 1 value
        IllegalStateException e = assertThrows(IllegalStateException.class, a::result);
        assertTrue(e.getMessage().contains("1 of 3"), e.getMessage());
        ChunkedCombine.CombineChunk reduce = new ChunkedCombine.CombineChunk(3);
        List<Tuple2<Integer, GradientSum>> twoOfThree = List.of(new Tuple2<>(3, GradientSum.empty(2)), new Tuple2<>(5, GradientSum.empty(2)));
        assertThrows(IllegalStateException.class, () -> reduce.apply(null, CollectionConverters.asScala(twoOfThree.iterator())));
    }
}
