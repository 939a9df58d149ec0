package io.sparkgrad.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.spark.testing.GradientAssertions;
import io.sparkgrad.spark.testing.LocalSpark;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
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
}
