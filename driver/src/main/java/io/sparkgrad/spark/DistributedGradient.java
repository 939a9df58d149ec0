package io.sparkgrad.spark;

import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import scala.Tuple2;

/**
 * One distributed gradient evaluation, as small as MLlib's {@code RDDLossFunction.calculate}:
 * broadcast the flat parameters, compute each partition's {@link GradientSum}, tree-reduce them
 * in a fixed order ({@link TreeReduce}), destroy the broadcast. The sens scaling and the L2 term
 * are {@link LossFunction}'s; clipping and the optimizer step are {@link DataParallelTrainer}'s.
 */
public final class DistributedGradient {
    private final JavaSparkContext sc;
    private final JavaRDD<DataBlock> blocks;
    private final PartitionGradient worker;
    private final int treeDepth;

    public DistributedGradient(JavaSparkContext sc, JavaRDD<DataBlock> blocks, PartitionGradient worker, int treeDepth) {
        if (treeDepth < 1) {
            throw new IllegalArgumentException("tree depth must be >= 1, got " + treeDepth);
        }
        this.sc = sc;
        this.blocks = blocks;
        this.worker = worker;
        this.treeDepth = treeDepth;
    }

    /** The summed gradient of {@code sum_i w_i loss_i} over the plan's rows, at {@code params}. */
    public GradientSum compute(float[] params, StepPlan plan) {
        PartitionGradient w = worker;
        return ModelReplica.withBroadcast(sc, params, bc -> {
            JavaPairRDD<Integer, GradientSum> partials = blocks.mapPartitionsWithIndex((idx, it) -> {
                TaskContext tc = TaskContext.get();
                int attempt = tc == null ? 0 : tc.attemptNumber();
                GradientSum s = w.compute(idx, it, bc.value(), plan, attempt);
                return List.of(new Tuple2<>(idx, s)).iterator();
            }, true).mapToPair(t -> t);
            return TreeReduce.reduce(partials, blocks.getNumPartitions(), treeDepth, params.length);
        });
    }
}
