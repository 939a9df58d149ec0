package io.sparkgrad.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparkgrad.nn.Adam;
import io.sparkgrad.spark.testing.LocalSpark;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** {@code local[2,4]}: a task may be attempted up to 4 times. */
@LocalSpark(master = "local[2,4]")
class FaultToleranceTest {
    /** Counts the failures it injects; static because the hook is deserialized in each task. */
    static final ConcurrentHashMap<String, AtomicInteger> INJECTED = new ConcurrentHashMap<>();

    @Test
    void aTaskThatFailsOnItsFirstAttemptIsRetriedAndCountedOnce(SparkSession spark) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<Sample> rows = DistributedGradientTest.rows(120, 12, true, 3);
        TrainingData data = TrainingData.fromRdd(sc.parallelize(rows, 4), DistributedGradientTest.DIM).cache();
        ModelSpec mlp = DistributedGradientTest.MLP;
        float[] params = mlp.create().trainableParamTuple().flatten();
        GradientSum clean = new DistributedGradient(sc, data.blocks(),
                new PartitionGradient(mlp, LossKind.SOFTMAX_CROSS_ENTROPY, TaskHook.NONE, 1), 2)
                .compute(params, StepPlan.fullBatch(32));
        INJECTED.clear();
        TaskHook failFirst = (partition, step, attempt) -> {
            if (partition == 1 && attempt == 0) {
                INJECTED.computeIfAbsent("p1", k -> new AtomicInteger()).incrementAndGet();
                throw new IllegalStateException("injected failure of partition 1, attempt 0");
            }
        };
        GradientSum faulty = new DistributedGradient(sc, data.blocks(),
                new PartitionGradient(mlp, LossKind.SOFTMAX_CROSS_ENTROPY, failFirst, 1), 2)
                .compute(params, StepPlan.fullBatch(32));
        assertEquals(1, INJECTED.get("p1").get(), "the failure was injected once");
        assertEquals(clean.count(), faulty.count());
        assertEquals(120, faulty.count());
        assertEquals(clean.weight(), faulty.weight());
        assertArrayEquals(clean.gradient(), faulty.gradient());
    }

    @Test
    void trainingWithARetriedTaskEndsWhereACleanRunEnds(SparkSession spark) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<Sample> rows = DistributedGradientTest.rows(90, 13, false, 3);
        ModelSpec mlp = DistributedGradientTest.MLP;
        TrainerBuilder b = DataParallelTrainer.builder(mlp, LossKind.SOFTMAX_CROSS_ENTROPY,
                p -> Adam.builder(p, 0.05).build()).batchSize(30).epochs(2).microBatch(8).seed(3);
        float[] clean = b.build().fit(spark, TrainingData.fromRdd(sc.parallelize(rows, 3), DistributedGradientTest.DIM))
                .flatParameters();
        TaskHook failStep2 = (partition, step, attempt) -> {
            if (step == 2 && partition == 2 && attempt == 0) {
                throw new IllegalStateException("injected failure in step 2");
            }
        };
        float[] faulty = b.taskHook(failStep2).build()
                .fit(spark, TrainingData.fromRdd(sc.parallelize(rows, 3), DistributedGradientTest.DIM)).flatParameters();
        assertArrayEquals(clean, faulty);
    }
}
