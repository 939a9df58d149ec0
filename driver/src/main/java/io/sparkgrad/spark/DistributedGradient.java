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
 * coalesced without a shuffle). Their functions are named classes whose per-step input (the
 * broadcast and the {@link StepPlan}) is set before each job, so a step neither builds RDDs nor
 * runs the ClosureCleaner over a captured model. {@link #compute} is therefore one job per step
 * and not re-entrant (it is synchronized).
 *
 * <p>Two paths, one summation order (so bitwise the same result):
 * <ul>
 *   <li>small gradients ({@code partitions * dim * 4 <= smallBytes}, 16 MiB by default, or tree
 *       depth 1): {@code runJob} over the partials with a result handler that adds them in
 *       partition order as they arrive ({@link TreeReduce.Combiner}; early ones are buffered).
 *       No shuffle stage; the driver holds at most every partial once, which the threshold
 *       bounds (16 MiB: 8 partitions of a 512k-parameter model).</li>
 *   <li>large gradients: each task of the group RDD computes its group's partitions one after
 *       another and sums them in order on the executor; the driver combines the group sums in
 *       order. The driver then holds the running total (double), one arriving group sum and the
 *       ones that arrived early, never all partials. The cost is that a step runs as many tasks
 *       as groups ({@code ceil(n / ceil(n^(1/depth)))}) rather than partitions.</li>
 * </ul>
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
    private final RDD<GradientSum> groupSums;

    public DistributedGradient(JavaSparkContext sc, JavaRDD<DataBlock> blocks, PartitionGradient worker, int treeDepth) {
        this(sc, blocks, worker, treeDepth, SMALL_BYTES);
    }

    /** With the small/large threshold given ({@code 0}: always grouped when the depth allows). */
    DistributedGradient(JavaSparkContext sc, JavaRDD<DataBlock> blocks, PartitionGradient worker, int treeDepth,
                        long smallBytes) {
        this.sc = sc.sc();
        this.numPartitions = blocks.getNumPartitions();
        this.groupSize = TreeReduce.groupSize(numPartitions, treeDepth);
        int dim = worker.dim();
        this.grouped = groupSize > 1 && (long) numPartitions * dim * Float.BYTES > smallBytes;
        this.step = new PartitionStep(worker);
        this.partials = blocks.mapPartitionsWithIndex(step, true).rdd();
        int groups = TreeReduce.groups(numPartitions, groupSize);
        this.groupSums = grouped
                ? partials.coalesce(groups, false, Option.apply(new Contiguous(groupSize)), null)
                : null;
    }

    /** Whether this gradient is summed in groups on the executors (the large-gradient path). */
    boolean grouped() {
        return grouped;
    }

    /** The summed gradient of {@code sum_i w_i loss_i} over the plan's rows, at {@code params}; sealed. */
    public synchronized GradientSum compute(float[] params, StepPlan plan) {
        return ModelReplica.withBroadcast(JavaSparkContext.fromSparkContext(sc), params, bc -> {
            step.set(bc, plan);
            try {
                int dim = params.length;
                TreeReduce.Combiner c = grouped
                        ? new TreeReduce.Combiner(TreeReduce.groups(numPartitions, groupSize), 1, dim)
                        : new TreeReduce.Combiner(numPartitions, groupSize, dim);
                sc.runJob(grouped ? groupSums : partials, grouped ? SumGroup.INSTANCE : SealOne.INSTANCE,
                        new Handler(c), SUM);
                return c.result();
            } finally {
                step.set(null, null);
            }
        });
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

    /**
     * The task function of the large path: the group's partition sums in partition order (the
     * coalesced partition lists its parents in order), from zero, sealed; as {@link TreeReduce}.
     */
    static final class SumGroup extends AbstractFunction2<TaskContext, scala.collection.Iterator<GradientSum>, GradientSum>
            implements Serializable {
        private static final long serialVersionUID = 1L;
        static final SumGroup INSTANCE = new SumGroup();

        @Override
        public GradientSum apply(TaskContext tc, scala.collection.Iterator<GradientSum> it) {
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
