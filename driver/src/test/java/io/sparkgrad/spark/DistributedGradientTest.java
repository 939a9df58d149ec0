package io.sparkgrad.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.spark.testing.GradientAssertions;
import io.sparkgrad.spark.testing.LocalSpark;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentSkipListSet;
import org.apache.spark.MapOutputTrackerMaster;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

@LocalSpark(master = "local[2]")
class DistributedGradientTest {
    static final int DIM = 5;
    static final ModelSpec MLP = ModelSpec.parse("mlp:8,3", DIM, 3, 11);

    /**
     * Seeded rows: features ~ N(0,1), a label from thresholds on a fixed linear score (learnable),
     * optional weights in [0.5, 2).
     */
    static List<Sample> rows(int n, long seed, boolean weighted, int classes) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] x = new float[DIM];
            double s = 0;
            for (int j = 0; j < DIM; j++) {
                x[j] = (float) r.nextGaussian();
                s += (j + 1) * x[j];
            }
            int label = classes == 2 ? (s > 0 ? 1 : 0) : (s < -2 ? 0 : s < 2 ? 1 : 2);
            out.add(new Sample(x, label, weighted ? (float) r.nextDouble(0.5, 2) : 1f));
        }
        return out;
    }

    /** An RDD whose partition p holds exactly {@code sizes[p]} of the rows, in order (some may be empty). */
    static JavaRDD<Sample> uneven(JavaSparkContext sc, List<Sample> rows, int... sizes) {
        List<List<Sample>> parts = new ArrayList<>();
        int at = 0;
        for (int s : sizes) {
            parts.add(new ArrayList<>(rows.subList(at, at + s)));
            at += s;
        }
        assertEquals(rows.size(), at);
        return sc.parallelize(parts, sizes.length).flatMap(List::iterator);
    }

    /** The local mean-loss gradient over all rows: GradOperation(getByList, sensParam) with sens 1/W. */
    static float[] localGradient(ModelFactory f, LossKind loss, List<Sample> rows) {
        return GradientAssertions.localGradient(f, loss, rows);
    }

    static float[] distributed(JavaSparkContext sc, JavaRDD<Sample> rdd, ModelFactory f, LossKind loss, int depth,
                               int microBatch) {
        TrainingData data = TrainingData.fromRdd(rdd, DIM);
        DistributedGradient dg = new DistributedGradient(sc, data.blocks(), new PartitionGradient(f, loss, TaskHook.NONE, 1), depth);
        GradientSum s = dg.compute(f.create().trainableParamTuple().flatten(), StepPlan.fullBatch(microBatch));
        return s.scaledGradient(1.0 / s.weight());
    }

    static void assertClose(float[] expected, float[] actual, double rtol, double atol) {
        assertEquals(expected.length, actual.length);
        double maxAbs = 0;
        for (float v : expected) {
            maxAbs = Math.max(maxAbs, Math.abs(v));
        }
        assertTrue(maxAbs > 1e-3, "the gradient is trivially small: " + maxAbs);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], atol + rtol * Math.abs(expected[i]), "element " + i);
        }
    }

    @Test
    void unevenPartitionsWithAnEmptyOneMatchTheLocalGradient(SparkSession spark) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<Sample> rows = rows(60, 1, false, 3);
        float[] local = localGradient(MLP, LossKind.SOFTMAX_CROSS_ENTROPY, rows);
        for (int depth : new int[] {1, 2, 3}) {
            float[] dist = distributed(sc, uneven(sc, rows, 7, 0, 41, 3, 9), MLP, LossKind.SOFTMAX_CROSS_ENTROPY, depth, 16);
            assertClose(local, dist, 1e-5, 1e-6);
        }
    }

    @Test
    void perSampleWeightsActAsPerSampleSens(SparkSession spark) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        ModelSpec logreg = ModelSpec.parse("logreg", DIM, 1, 3);
        List<Sample> rows = rows(50, 2, true, 2);
        float[] local = localGradient(logreg, LossKind.BCE_WITH_LOGITS, rows);
        float[] dist = distributed(sc, uneven(sc, rows, 20, 13, 0, 17), logreg, LossKind.BCE_WITH_LOGITS, 2, 8);
        assertClose(local, dist, 1e-5, 1e-6);
        // the weights matter: without them the gradient is different
        List<Sample> unweighted = new ArrayList<>();
        rows.forEach(s -> unweighted.add(new Sample(s.features(), s.label())));
        float[] plain = localGradient(logreg, LossKind.BCE_WITH_LOGITS, unweighted);
        double diff = 0;
        for (int i = 0; i < plain.length; i++) {
            diff = Math.max(diff, Math.abs(plain[i] - local[i]));
        }
        assertTrue(diff > 1e-3, "weights had no effect");
    }

    @Test
    void sameDataAndPartitioningGiveBitwiseIdenticalGradients(SparkSession spark) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<Sample> rows = rows(300, 5, true, 3);
        float[] first = distributed(sc, uneven(sc, rows, 50, 80, 0, 70, 100), MLP, LossKind.SOFTMAX_CROSS_ENTROPY, 2, 32);
        for (int i = 0; i < 3; i++) {
            float[] again = distributed(sc, uneven(sc, rows, 50, 80, 0, 70, 100), MLP, LossKind.SOFTMAX_CROSS_ENTROPY, 2, 32);
            assertArrayEquals(first, again);
        }
    }

    @Test
    void theTestingAssertionAgreesOnEvenPartitions(SparkSession spark) {
        GradientAssertions.Comparison c = GradientAssertions.assertPartitionedGradientMatchesLocal(spark, MLP,
                LossKind.SOFTMAX_CROSS_ENTROPY, rows(40, 9, false, 3), 4, 2, 1e-5, 1e-6);
        assertEquals(MLP.create().trainableParamTuple().numel(), c.local().length);
        assertEquals("0.weight[0]", c.names().get(0));
    }

    /** The partitions' blocks, collected to the driver, in partition order. */
    static List<List<DataBlock>> blocksByPartition(TrainingData data) {
        int n = data.blocks().getNumPartitions();
        List<List<DataBlock>> out = new ArrayList<>();
        for (int p = 0; p < n; p++) {
            out.add(new ArrayList<>());
        }
        data.blocks().mapPartitionsWithIndex((i, it) -> {
            List<scala.Tuple2<Integer, DataBlock>> l = new ArrayList<>();
            it.forEachRemaining(b -> l.add(new scala.Tuple2<>(i, b)));
            return l.iterator();
        }, true).collect().forEach(t -> out.get(t._1()).add(t._2()));
        return out;
    }

    @Test
    void driverCombinedAndExecutorGroupedPathsAgreeBitwiseWithAOneJvmLoop(SparkSession spark) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<Sample> rows = rows(300, 15, true, 3);
        TrainingData data = TrainingData.fromRdd(uneven(sc, rows, 50, 80, 0, 70, 60, 40), DIM).cache();
        PartitionGradient pg = new PartitionGradient(MLP, LossKind.SOFTMAX_CROSS_ENTROPY, TaskHook.NONE, 1);
        float[] params = MLP.create().trainableParamTuple().flatten();
        StepPlan plan = StepPlan.fullBatch(16);
        List<List<DataBlock>> parts = blocksByPartition(data);
        for (int depth : new int[] {1, 2, 3}) {
            DistributedGradient small = new DistributedGradient(sc, data.blocks(), pg, depth);
            DistributedGradient large = new DistributedGradient(sc, data.blocks(), pg, depth, 0);
            assertTrue(!small.grouped());
            assertEquals(depth > 1, large.grouped());
            GradientSum a = small.compute(params, plan);
            GradientSum b = large.compute(params, plan);
            GradientSum[] local = new GradientSum[parts.size()];
            for (int p = 0; p < local.length; p++) {
                local[p] = pg.compute(p, parts.get(p).iterator(), params, plan, 0);
            }
            GradientSum oneJvm = TreeReduce.sumInOrder(local, depth, params.length);
            assertArrayEquals(oneJvm.gradient(), a.gradient(), "depth " + depth + ", driver-combined");
            assertArrayEquals(oneJvm.gradient(), b.gradient(), "depth " + depth + ", grouped on executors");
            assertEquals(oneJvm.loss(), a.loss());
            assertEquals(oneJvm.loss(), b.loss());
            assertEquals(300, b.count());
            // a second step with other parameters through the same lineage
            float[] other = params.clone();
            other[0] += 0.5f;
            assertArrayEquals(TreeReduce.sumInOrder(localSums(pg, parts, other, plan), depth, params.length).gradient(),
                    large.compute(other, plan).gradient(), "depth " + depth + ", second step");
        }
    }

    static GradientSum[] localSums(PartitionGradient pg, List<List<DataBlock>> parts, float[] params, StepPlan plan) {
        GradientSum[] out = new GradientSum[parts.size()];
        for (int p = 0; p < out.length; p++) {
            out[p] = pg.compute(p, parts.get(p).iterator(), params, plan, 0);
        }
        return out;
    }

    /**
     * The large path with the group sums combined on the executors chunk by chunk: bitwise the
     * one-JVM tree and the driver-combined small path, for several partition counts (one empty
     * partition, a last group shorter than the others), depths and chunk sizes (several chunks
     * with a shorter last one, one chunk of exactly the gradient).
     */
    @Test
    void executorCombinedChunksAgreeBitwiseWithTheTreeAndTheSmallPath(SparkSession spark) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<Sample> rows = rows(400, 21, true, 3);
        PartitionGradient pg = new PartitionGradient(MLP, LossKind.SOFTMAX_CROSS_ENTROPY, TaskHook.NONE, 1);
        float[] params = MLP.create().trainableParamTuple().flatten();
        int dim = params.length;
        StepPlan plan = StepPlan.fullBatch(16);
        int[][] layouts = {{50, 0, 150, 200}, {30, 70, 0, 100, 25, 75, 100}, {40, 40, 40, 40, 40, 40, 40, 40, 40, 40}};
        for (int[] layout : layouts) {
            TrainingData data = TrainingData.fromRdd(uneven(sc, rows, layout), DIM).cache();
            GradientSum[] local = localSums(pg, blocksByPartition(data), params, plan);
            for (int depth : new int[] {2, 3}) {
                GradientSum expected = TreeReduce.sumInOrder(local, depth, dim);
                GradientSum small = new DistributedGradient(sc, data.blocks(), pg, depth).compute(params, plan);
                for (int chunkValues : new int[] {7, 32, dim}) {
                    DistributedGradient dg = new DistributedGradient(sc, data.blocks(), pg, depth, 0, chunkValues);
                    String at = layout.length + " partitions, depth " + depth + ", chunks of " + chunkValues;
                    assertTrue(dg.grouped(), at);
                    assertEquals((dim + chunkValues - 1) / chunkValues, dg.chunks(), at);
                    GradientSum large = dg.compute(params, plan);
                    assertArrayEquals(expected.gradient(), large.gradient(), at + ": against the one-JVM tree");
                    assertArrayEquals(small.gradient(), large.gradient(), at + ": against the small path");
                    assertEquals(expected.loss(), large.loss(), at);
                    assertEquals(expected.weight(), large.weight(), at);
                    assertEquals(400, large.count(), at);
                    assertEquals(expected.correct(), large.correct(), at);
                    assertTrue(large.isFinite() && large.sealed(), at);
                }
            }
            data.unpersist();
        }
    }

    /** Each large step's shuffle is its own (no stale map outputs) and is removed after the step. */
    @Test
    void aLargeStepRemovesItsShuffle(SparkSession spark) throws InterruptedException {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Set<Integer> shuffles = new ConcurrentSkipListSet<>();
        SparkListener listener = new SparkListener() {
            @Override
            public void onStageSubmitted(SparkListenerStageSubmitted e) {
                if (e.stageInfo().shuffleDepId().isDefined()) {
                    shuffles.add((Integer) e.stageInfo().shuffleDepId().get());
                }
            }
        };
        sc.sc().addSparkListener(listener);
        try {
            TrainingData data = TrainingData.fromRdd(uneven(sc, rows(120, 8, false, 3), 30, 30, 30, 30), DIM).cache();
            PartitionGradient pg = new PartitionGradient(MLP, LossKind.SOFTMAX_CROSS_ENTROPY, TaskHook.NONE, 1);
            DistributedGradient dg = new DistributedGradient(sc, data.blocks(), pg, 2, 0, 16);
            List<List<DataBlock>> parts = blocksByPartition(data);
            float[] params = MLP.create().trainableParamTuple().flatten();
            for (int step = 0; step < 3; step++) {
                params[step] += 0.25f;
                assertArrayEquals(TreeReduce.sumInOrder(localSums(pg, parts, params, StepPlan.fullBatch(8)), 2, params.length).gradient(),
                        dg.compute(params, StepPlan.fullBatch(8)).gradient(), "step " + step);
            }
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (shuffles.size() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(20); // the listener bus is asynchronous
            }
            assertEquals(3, shuffles.size(), "one shuffle per step: " + shuffles);
            MapOutputTrackerMaster tracker = (MapOutputTrackerMaster) SparkEnv.get().mapOutputTracker();
            for (int id : shuffles) {
                assertFalse(tracker.containsShuffle(id), "shuffle " + id + " is still registered");
            }
            data.unpersist();
        } finally {
            sc.sc().removeSparkListener(listener);
        }
    }
}
