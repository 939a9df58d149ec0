package io.sparkgrad.spark;

import java.io.Serializable;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.spark.Partitioner;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.rdd.RDD;
import org.apache.spark.rdd.ShuffledRDD;
import scala.Tuple2;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction2;
import scala.runtime.BoxedUnit;

/**
 * The second level of {@link DistributedGradient}'s large-gradient path, on the executors: the
 * group sums are combined in group order, element range by element range, so the driver receives
 * the total in chunks written straight into the result and never holds a group sum, a double
 * total or all partials.
 *
 * <p>How. Each group task (the coalesced group RDD) sums its partitions as before and seals the
 * group sum ({@link SliceGroup}); instead of shipping it to the driver it emits the sum cut into
 * {@code chunks} contiguous slices of {@code chunkValues} values, keyed {@code chunk * groups +
 * group}. One shuffle ({@link ByChunk}) brings chunk {@code k} of every group to reduce task
 * {@code k}, which adds them in group order through {@link TreeReduce.Combiner} (from zero in
 * double, each slice sealed, the total sealed: TreeReduce's order, element by element, so the
 * result is bitwise that of {@link TreeReduce#sumInOrder}). The driver's {@link Assembly} copies
 * each sealed chunk into one {@code float[dim]} at its offset; the loss, weight, counts and the
 * first non-finite note travel with chunk 0 only (each group's slice 0 carries its group's), so
 * they too are summed in group order.
 *
 * <p>Driver memory. During a large step the driver holds the broadcast's serialised pieces (one
 * gradient size), the result array (one) and the few chunks in flight ({@code chunkValues} floats
 * each, 1 MB by default, and their bytes on the way): about two gradient sizes, where combining
 * the group sums on the driver held the broadcast, a double running total (two), the arriving
 * group sum (one, and its bytes on the way) and any that arrived early, and the sealed result
 * (one).
 *
 * <p>Cost per step, against combining on the driver: one more stage ({@code chunks} short reduce
 * tasks, a few milliseconds of scheduling each) and the group sums written to and read from the
 * executors' shuffle files instead of sent to the driver (the same {@code groups * dim * 4} bytes
 * move either way; the shuffle also writes them to local disk). The {@code groups * dim}
 * additions move from one driver thread to the executors' cores. A second job over persisted
 * group sums would avoid the shuffle files, but a task reads a persisted block whole: summing
 * element ranges in parallel would fetch every group sum once per chunk, and summing all of it in
 * one task would ship the driver one whole sum (its bytes and the object at once, two or three
 * gradient sizes on top of the broadcast). A shuffle carries each slice once.
 *
 * <p>Lifecycle: a {@link ShuffledRDD} cannot be reused across steps (its map outputs would be
 * found and the map stage skipped, giving the previous step's sums), so {@link #shuffle} makes a
 * new one per step over the lineage built once per fit, and the caller removes its shuffle files
 * after the job ({@code cleanShuffleDependencies}).
 */
final class ChunkedCombine {
    /**
     * Values per chunk by default: 1,000,000 bytes of float, so a chunk's task result (with its
     * header) stays under {@code spark.task.maxDirectResultSize} (1 MiB by default) and comes back
     * in the task's status message. A larger chunk's result goes through the block manager, and
     * the driver then holds the fetched bytes, a contiguous copy, the result's value bytes and the
     * float[] at once. Measured with {@code benchmarks/driver_heap.sh heapParams=2100000 rounds=1}
     * (driver alone, -Xmx1g): 4.01 gradient sizes of driver heap with chunks of 2^20 values (4 MiB),
     * 2.78 with these (both with the base read at once, which could still hold the previous
     * pass's broadcast: see {@code DriverHeap}).
     */
    static final int CHUNK_VALUES = 250_000;

    private static final ClassTag<Integer> INT = ClassTag$.MODULE$.apply(Integer.class);
    private static final ClassTag<GradientSum> SUM = ClassTag$.MODULE$.apply(GradientSum.class);

    private final int dim;
    private final int groups;
    private final int chunkValues;
    private final int chunks;
    private final RDD<Tuple2<Integer, GradientSum>> slices;

    /** Over {@code groupSums} (one partition per group, its partition sums in order), for a {@code dim}-value gradient. */
    ChunkedCombine(RDD<GradientSum> groupSums, int dim, int chunkValues) {
        if (chunkValues < 1) {
            throw new IllegalArgumentException("chunk size must be >= 1, got " + chunkValues);
        }
        this.dim = dim;
        this.groups = groupSums.getNumPartitions();
        this.chunkValues = chunkValues;
        this.chunks = Math.max(1, (int) (((long) dim + chunkValues - 1) / chunkValues));
        if ((long) chunks * groups > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(chunks + " chunks of " + groups + " groups: too many slices to key");
        }
        this.slices = groupSums.toJavaRDD().mapPartitionsWithIndex(new SliceGroup(groups, chunks, chunkValues), false).rdd();
    }

    int chunks() {
        return chunks;
    }

    /** This step's shuffle: chunk {@code k} of every group to partition {@code k}. */
    RDD<Tuple2<Integer, GradientSum>> shuffle() {
        return new ShuffledRDD<Integer, GradientSum, GradientSum>(slices, new ByChunk(groups, chunks), INT, SUM, SUM);
    }

    /** The reduce tasks' function (combines one chunk of every group, in group order). */
    CombineChunk combineChunk() {
        return new CombineChunk(groups);
    }

    /** A new driver-side assembly of one step's chunks. */
    Assembly assembly() {
        return new Assembly(dim, chunkValues, chunks);
    }

    /** Values {@code [k * chunkValues, min(dim, (k + 1) * chunkValues))} form chunk {@code k}. */
    static int chunkStart(int k, int chunkValues) {
        return (int) Math.min(Integer.MAX_VALUE, (long) k * chunkValues);
    }

    /**
     * The map side: the group's partition sums in partition order (the coalesced partition lists
     * its parents in order), from zero, sealed, as {@link TreeReduce}; then emitted as slices, one
     * at a time (only the sealed group sum and one slice are held).
     */
    static final class SliceGroup implements Function2<Integer, Iterator<GradientSum>, Iterator<Tuple2<Integer, GradientSum>>> {
        private static final long serialVersionUID = 1L;
        private final int groups;
        private final int chunks;
        private final int chunkValues;

        SliceGroup(int groups, int chunks, int chunkValues) {
            this.groups = groups;
            this.chunks = chunks;
            this.chunkValues = chunkValues;
        }

        @Override
        public Iterator<Tuple2<Integer, GradientSum>> call(Integer group, Iterator<GradientSum> it) {
            GradientSum sum = sumGroup(it);
            if (sum.dim() > (long) chunks * chunkValues || (chunks > 1 && sum.dim() <= (long) (chunks - 1) * chunkValues)) {
                throw new IllegalStateException("DistributedGradient: a sum of " + sum.dim() + " values in "
                        + chunks + " chunks of " + chunkValues);
            }
            return new Iterator<>() {
                private int k;

                @Override
                public boolean hasNext() {
                    return k < chunks;
                }

                @Override
                public Tuple2<Integer, GradientSum> next() {
                    if (k >= chunks) {
                        throw new NoSuchElementException();
                    }
                    int from = chunkStart(k, chunkValues);
                    int to = (int) Math.min(sum.dim(), (long) from + chunkValues);
                    Tuple2<Integer, GradientSum> out = new Tuple2<>(k * groups + group, sum.slice(from, to, k == 0));
                    k++;
                    return out;
                }
            };
        }
    }

    /** A group's partition sums in order, from zero, sealed (each partial sealed before it is added). */
    static GradientSum sumGroup(Iterator<GradientSum> it) {
        GradientSum group = null;
        while (it.hasNext()) {
            GradientSum s = it.next().seal();
            group = group == null ? GradientSum.empty(s.dim()).merge(s) : group.merge(s);
        }
        if (group == null) {
            throw new IllegalStateException("DistributedGradient: an empty partition group");
        }
        return group.seal();
    }

    /** Key {@code chunk * groups + group} to partition {@code chunk}. */
    static final class ByChunk extends Partitioner {
        private static final long serialVersionUID = 1L;
        private final int groups;
        private final int chunks;

        ByChunk(int groups, int chunks) {
            this.groups = groups;
            this.chunks = chunks;
        }

        @Override
        public int numPartitions() {
            return chunks;
        }

        @Override
        public int getPartition(Object key) {
            return (Integer) key / groups;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ByChunk b && b.groups == groups && b.chunks == chunks;
        }

        @Override
        public int hashCode() {
            return 31 * groups + chunks;
        }
    }

    /**
     * The reduce side: chunk {@code k}'s slice of every group, arriving in any order, added in group
     * order ({@link TreeReduce.Combiner} over the groups); sealed.
     */
    static final class CombineChunk
            extends AbstractFunction2<TaskContext, scala.collection.Iterator<Tuple2<Integer, GradientSum>>, GradientSum>
            implements Serializable {
        private static final long serialVersionUID = 1L;
        private final int groups;

        CombineChunk(int groups) {
            this.groups = groups;
        }

        @Override
        public GradientSum apply(TaskContext tc, scala.collection.Iterator<Tuple2<Integer, GradientSum>> it) {
            TreeReduce.Combiner c = null;
            while (it.hasNext()) {
                Tuple2<Integer, GradientSum> t = it.next();
                if (c == null) {
                    c = new TreeReduce.Combiner(groups, 1, t._2().dim());
                }
                c.accept(t._1() % groups, t._2());
            }
            if (c == null) {
                throw new IllegalStateException("DistributedGradient: a chunk received no group slices");
            }
            return c.result();
        }
    }

    /**
     * The driver side: each sealed chunk, as it arrives (in any order), copied into the result at
     * its offset; the totals from chunk 0. Not thread-safe (Spark calls a job's result handler from
     * one thread).
     */
    static final class Assembly extends AbstractFunction2<Object, GradientSum, BoxedUnit> {
        private final int chunkValues;
        private final float[] values;
        private final boolean[] seen;
        private int arrived;
        private GradientSum totals;

        Assembly(int dim, int chunkValues, int chunks) {
            this.chunkValues = chunkValues;
            this.values = new float[dim];
            this.seen = new boolean[chunks];
        }

        @Override
        public BoxedUnit apply(Object index, GradientSum chunk) {
            int k = (Integer) index;
            if (seen[k]) {
                throw new IllegalStateException("DistributedGradient: chunk " + k + " arrived twice");
            }
            int from = chunkStart(k, chunkValues);
            int len = (int) Math.min(values.length - (long) from, chunkValues);
            if (chunk.dim() != len) {
                throw new IllegalStateException("DistributedGradient: chunk " + k + " has " + chunk.dim()
                        + " values, expected " + len);
            }
            System.arraycopy(chunk.sealedValues(), 0, values, from, len);
            if (k == 0) {
                totals = chunk;
            }
            seen[k] = true;
            arrived++;
            return BoxedUnit.UNIT;
        }

        /** The sealed total; every chunk must have arrived. */
        GradientSum result() {
            if (arrived != seen.length) {
                throw new IllegalStateException("DistributedGradient: " + arrived + " of " + seen.length + " chunks arrived");
            }
            return GradientSum.of(values, totals.loss(), totals.weight(), totals.count(), totals.correct(), totals.nonFinite());
        }
    }
}
