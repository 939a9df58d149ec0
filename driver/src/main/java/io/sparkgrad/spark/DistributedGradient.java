package io.sparkgrad.spark;

import java.io.Serializable;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.SparkContext;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.rdd.PartitionCoalescer;
import org.apache.spark.rdd.PartitionGroup;
import org.apache.spark.rdd.RDD;
import scala.Option;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction2;
import scala.runtime.BoxedUnit;

/**
 * One distributed gradient evaluation, as small as MLlib's {@code RDDLossFunction.calculate}:
 * broadcast the flat parameters, compute each partition's {@link GradientSum}, sum them in
 * {@link TreeReduce}'s fixed order, destroy the broadcast. The sens scaling and the L2 term are
 * {@link LossFunction}'s; clipping and the optimizer step are {@link DataParallelTrainer}'s.
 *
 * <p>Lifecycle. The constructor builds the lineage once per fit: the partials RDD (one sum per
 * partition) and, for large gradients, the group RDD over it (contiguous partition groups,
 * coalesced without a shuffle) and the slices of each group sum ({@link ChunkedCombine}). Their
 * functions are named classes whose per-step input (the broadcast and the {@link StepPlan}) is
 * set before each job, so a step runs no ClosureCleaner over a captured model. A small step is
 * one job over the partials; a large step builds one {@code ShuffledRDD} over the slices (a
 * shuffle's outputs cannot be reused across steps), runs one job of two stages, removes that
 * shuffle's files afterwards and waits until the broadcast's blocks are removed (so the next
 * step's broadcast never shares the driver's heap with them). {@link #compute} is not
 * re-entrant (it is synchronized).
 *
 * <p>Two paths, one summation order (so bitwise the same result):
 * <ul>
 *   <li>small gradients ({@code partitions * dim * 4 <= smallBytes}, 16 MiB by default, or tree
 *       depth 1): {@code runJob} over the partials with a result handler that adds them in
 *       partition order as they arrive ({@link TreeReduce.Combiner}; early ones are buffered).
 *       No shuffle stage; the driver holds at most every partial once, which the threshold
 *       bounds (16 MiB: 8 partitions of a 512k-parameter model).</li>
 *   <li>large gradients: each task of the group RDD computes its group's partitions one after
 *       another and sums them in order on the executor; the group sums are combined in group
 *       order on the executors too, chunk by chunk of elements after one shuffle
 *       ({@link ChunkedCombine}), and the driver copies the sealed chunks into the result. The
 *       driver holds the broadcast's pieces, the result and the chunks in flight: about two
 *       gradient sizes (combining the group sums on the driver, as before, held the broadcast, a
 *       double running total, the arriving group sum and its bytes, any that arrived early and
 *       the result: six or more by count). The costs: a step runs as many map tasks as groups
 *       ({@code ceil(n / ceil(n^(1/depth)))}) rather than partitions, and one more stage of
 *       {@code ceil(dim / 250000)} reduce tasks whose input, the group sums, goes through the
 *       executors' shuffle files rather than to the driver.</li>
 * </ul>
 *
 * <p>The large path removes its shuffle with {@code RDD.cleanShuffleDependencies}, which also
 * removes shuffles upstream of input blocks that are not persisted (they would then be
 * recomputed from their source each step): the blocks are expected to be persisted, as
 * {@link DataParallelTrainer} persists them ({@link TrainingData#cache}).
 */
public final class DistributedGradient {
    /** Above this many bytes of float partials in total, partitions are summed in groups on executors. */
    public static final long SMALL_BYTES = 16L << 20;

    private static final ClassTag<GradientSum> SUM = ClassTag$.MODULE$.apply(GradientSum.class);

    private final SparkContext sc;
    private final int numPartitions;
    private final int groupSize;
    private final boolean grouped;
    private final PartitionStep step;
    private final RDD<GradientSum> partials;
    /** The large path's second level; null on the small path. */
    private final ChunkedCombine chunked;

    public DistributedGradient(JavaSparkContext sc, JavaRDD<DataBlock> blocks, PartitionGradient worker, int treeDepth) {
        this(sc, blocks, worker, treeDepth, SMALL_BYTES);
    }

    /** With the small/large threshold given ({@code 0}: always grouped when the depth allows). */
    DistributedGradient(JavaSparkContext sc, JavaRDD<DataBlock> blocks, PartitionGradient worker, int treeDepth,
                        long smallBytes) {
        this(sc, blocks, worker, treeDepth, smallBytes, ChunkedCombine.CHUNK_VALUES);
    }

    /** With the threshold and the large path's values per chunk given (tests cut small gradients into chunks). */
    DistributedGradient(JavaSparkContext sc, JavaRDD<DataBlock> blocks, PartitionGradient worker, int treeDepth,
                        long smallBytes, int chunkValues) {
        this.sc = sc.sc();
        this.numPartitions = blocks.getNumPartitions();
        this.groupSize = TreeReduce.groupSize(numPartitions, treeDepth);
        int dim = worker.dim();
        this.grouped = groupSize > 1 && (long) numPartitions * dim * Float.BYTES > smallBytes;
        this.step = new PartitionStep(worker);
        this.partials = blocks.mapPartitionsWithIndex(step, true).rdd();
        int groups = TreeReduce.groups(numPartitions, groupSize);
        this.chunked = grouped
                ? new ChunkedCombine(partials.coalesce(groups, false, Option.apply(new Contiguous(groupSize)), null),
                        dim, chunkValues)
                : null;
    }

    /** The number of chunks the large path combines separately (1 on the small path). */
    int chunks() {
        return grouped ? chunked.chunks() : 1;
    }

    /** Whether this gradient is summed in groups on the executors (the large-gradient path). */
    boolean grouped() {
        return grouped;
    }

    /** The summed gradient of {@code sum_i w_i loss_i} over the plan's rows, at {@code params}; sealed. */
    public synchronized GradientSum compute(float[] params, StepPlan plan) {
        // the large path waits until the broadcast's pieces are removed, so the next step's never meets them
        return ModelReplica.withBroadcast(JavaSparkContext.fromSparkContext(sc), params, grouped, bc -> {
            step.set(bc, plan);
            try {
                return grouped ? combinedOnExecutors() : combinedOnDriver(params.length);
            } finally {
                step.set(null, null);
            }
        });
    }

    /** The small path: the partials, combined on the driver in the tree's order as they arrive. */
    private GradientSum combinedOnDriver(int dim) {
        TreeReduce.Combiner c = new TreeReduce.Combiner(numPartitions, groupSize, dim);
        sc.runJob(partials, SealOne.INSTANCE, new Handler(c), SUM);
        return c.result();
    }

    /** The large path: group sums combined chunk by chunk on the executors; the driver assembles the chunks. */
    private GradientSum combinedOnExecutors() {
        RDD<scala.Tuple2<Integer, GradientSum>> shuffled = chunked.shuffle();
        try {
            ChunkedCombine.Assembly a = chunked.assembly();
            sc.runJob(shuffled, chunked.combineChunk(), a, SUM);
            return a.result();
        } finally {
            shuffled.cleanShuffleDependencies(false);
        }
    }

    /** The partition function: one {@link GradientSum} per partition, at the step's broadcast and plan. */
    static final class PartitionStep implements Function2<Integer, Iterator<DataBlock>, Iterator<GradientSum>> {
        private static final long serialVersionUID = 1L;
        private final PartitionGradient worker;
        private Broadcast<float[]> bc;
        private StepPlan plan;

        PartitionStep(PartitionGradient worker) {
            this.worker = worker;
        }

        void set(Broadcast<float[]> bc, StepPlan plan) {
            this.bc = bc;
            this.plan = plan;
        }

        @Override
        public Iterator<GradientSum> call(Integer idx, Iterator<DataBlock> it) {
            if (bc == null) {
                throw new IllegalStateException("DistributedGradient: a partition ran outside a step");
            }
            TaskContext tc = TaskContext.get();
            int attempt = tc == null ? 0 : tc.attemptNumber();
            return List.of(worker.compute(idx, it, bc.value(), plan, attempt).seal()).iterator();
        }
    }

    /** The task function of the small path: the partition's one sum, sealed. */
    static final class SealOne extends AbstractFunction2<TaskContext, scala.collection.Iterator<GradientSum>, GradientSum>
            implements Serializable {
        private static final long serialVersionUID = 1L;
        static final SealOne INSTANCE = new SealOne();

        @Override
        public GradientSum apply(TaskContext tc, scala.collection.Iterator<GradientSum> it) {
            return it.next().seal();
        }

        private Object readResolve() {
            return INSTANCE;
        }
    }

    /** Hands each task's result, with its index, to the combiner (on the driver). */
    private static final class Handler extends AbstractFunction2<Object, GradientSum, BoxedUnit> {
        private final TreeReduce.Combiner combiner;

        Handler(TreeReduce.Combiner combiner) {
            this.combiner = combiner;
        }

        @Override
        public BoxedUnit apply(Object index, GradientSum s) {
            combiner.accept((Integer) index, s);
            return BoxedUnit.UNIT;
        }
    }

    /** Contiguous groups of {@code size} partitions, in index order: {@code [0, size), [size, 2 size), ...}. */
    static final class Contiguous implements PartitionCoalescer, Serializable {
        private static final long serialVersionUID = 1L;
        private final int size;

        Contiguous(int size) {
            this.size = size;
        }

        @Override
        public PartitionGroup[] coalesce(int maxPartitions, RDD<?> parent) {
            org.apache.spark.Partition[] ps = parent.partitions();
            PartitionGroup[] out = new PartitionGroup[TreeReduce.groups(ps.length, size)];
            for (int g = 0; g < out.length; g++) {
                out[g] = new PartitionGroup(Option.empty());
                for (int i = g * size; i < Math.min(ps.length, (g + 1) * size); i++) {
                    out[g].partitions().$plus$eq(ps[i]);
                }
            }
            return out;
        }
    }
}
