package io.sparkgrad.spark;

import java.util.HashMap;
import java.util.Map;

/**
 * The fixed summation order of a step's per-partition {@link GradientSum}s, independent of the
 * order in which tasks finish (float addition is not associative; Spark's {@code treeAggregate}
 * merges as results arrive, so two of its runs can differ in the last bits).
 *
 * <p>The tree. With {@code n} partitions and depth {@code d}: depth 1 sums partials
 * {@code 0, 1, ..., n-1} in index order. Depth {@code d >= 2} groups the partitions into
 * contiguous runs of {@code g = max(2, ceil(n^(1/d)))} ({@code [0, g), [g, 2g), ...}); each group
 * is summed in index order from zero and sealed (rounded to float32, as a task result is); the
 * group sums are then summed in group order. The total is sealed too. Every partial is sealed
 * before it is added. The same order is followed whether the driver combines the partials
 * ({@link Combiner}, the small-gradient path of {@link DistributedGradient}) or the executors sum
 * each group and then combine the group sums in group order, element range by element range
 * ({@link ChunkedCombine}, the large-gradient path: the order is per element, so cutting the
 * vector into chunks does not change it), so both paths, and a loop in one JVM that follows this
 * order, give bitwise the same result.
 *
 * <p>Earlier versions built this tree with a {@code groupByKey} per level (a shuffle stage); the
 * grouping by {@code index / g} and the in-order sums are the same, but partials were shipped in
 * double and a level was added only when it reduced the driver's share.
 */
public final class TreeReduce {
    private TreeReduce() {
    }

    /** The group size of the tree over {@code n} partitions at {@code depth}; 1 means no groups. */
    public static int groupSize(int n, int depth) {
        if (depth < 1) {
            throw new IllegalArgumentException("tree depth must be >= 1, got " + depth);
        }
        if (depth == 1 || n <= 2) {
            return 1;
        }
        return Math.max((int) Math.ceil(Math.pow(n, 1.0 / depth)), 2);
    }

    /** The number of groups ({@code ceil(n / g)}). */
    public static int groups(int n, int groupSize) {
        return (n + groupSize - 1) / groupSize;
    }

    /** Sums {@code parts} (indexed by partition) in the tree's order; for tests and one-JVM loops. */
    public static GradientSum sumInOrder(GradientSum[] parts, int depth, int dim) {
        Combiner c = new Combiner(parts.length, groupSize(parts.length, depth), dim);
        for (int i = 0; i < parts.length; i++) {
            c.accept(i, parts[i]);
        }
        return c.result();
    }

    /**
     * Combines items (partials, or group sums when {@code groupSize} is 1 over the groups) that
     * arrive in any order, in the tree's order: an item that arrives early is buffered until every
     * item before it has been added, so at most the out-of-order items are held at once, plus one
     * open group and the total. Not thread-safe; Spark calls a job's result handler from one thread.
     */
    public static final class Combiner {
        private final int count;
        private final int groupSize;
        private final int dim;
        private final Map<Integer, GradientSum> early = new HashMap<>();
        private int next;
        private GradientSum group;
        private final GradientSum total;

        /** Over {@code count} items, in contiguous groups of {@code groupSize} (1: no groups). */
        public Combiner(int count, int groupSize, int dim) {
            this.count = count;
            this.groupSize = groupSize;
            this.dim = dim;
            this.total = GradientSum.empty(dim);
        }

        /** Item {@code index} has arrived. */
        public void accept(int index, GradientSum item) {
            if (index < next || early.containsKey(index) || index >= count) {
                throw new IllegalStateException("TreeReduce: item " + index + " of " + count + " arrived twice or out of range");
            }
            if (index != next) {
                early.put(index, item);
                return;
            }
            add(item);
            for (GradientSum s; (s = early.remove(next)) != null; ) {
                add(s);
            }
        }

        private void add(GradientSum item) {
            item.seal();
            if (groupSize == 1) {
                total.merge(item);
            } else {
                if (group == null) {
                    group = GradientSum.empty(dim);
                }
                group.merge(item);
                if ((next + 1) % groupSize == 0 || next + 1 == count) {
                    total.merge(group.seal());
                    group = null;
                }
            }
            next++;
        }

        /** The sealed total; every item must have arrived. */
        public GradientSum result() {
            if (next != count) {
                throw new IllegalStateException("TreeReduce: " + next + " of " + count + " items combined");
            }
            return total.seal();
        }
    }
}
