package io.sparkgrad.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.ParameterTuple;
import io.sparkgrad.nn.OptimizerState;
import io.sparkgrad.nn.SGD;
import io.sparkgrad.spark.checkpoint.Checkpoint;
import io.sparkgrad.spark.checkpoint.CheckpointStore;
import io.sparkgrad.spark.testing.LocalSpark;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Full-batch L-BFGS and OWL-QN through {@link DataParallelTrainer}, on the distributed objective. */
@LocalSpark(master = "local[2]")
class LbfgsTest {
    static final int DIM = 4;
    static final ModelSpec LOGREG = ModelSpec.parse("logreg", DIM, 1, 3);
    /** A small non-convex model (49 parameters) that L-BFGS does not finish in 12 iterations. */
    static final ModelSpec MLP = ModelSpec.parse("mlp:8,1", DIM, 1, 3);
    static final Predicate<String> WEIGHTS = name -> name.endsWith("weight");

    /** Noisy (not separable) binary rows: the L2 optimum is finite and unique. */
    static List<Sample> rows(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] x = new float[DIM];
            double s = 0.3;
            for (int j = 0; j < DIM; j++) {
                x[j] = (float) r.nextGaussian();
                s += (j - 1.5) * x[j];
            }
            out.add(new Sample(x, s + 1.5 * r.nextGaussian() > 0 ? 1 : 0));
        }
        return out;
    }

    static TrainingData data(SparkSession spark, List<Sample> rows) {
        return TrainingData.fromRdd(JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, 3), DIM);
    }

    /** The objective and gradient at {@code p}, by the same step function. */
    static LossFunction.Evaluation evaluate(SparkSession spark, TrainingData data, TrainerBuilder b,
                                            float[] p) {
        TrainerConfig c = b.config();
        ParameterTuple params = c.model().create().trainableParamTuple();
        return new LossFunction(JavaSparkContext.fromSparkContext(spark.sparkContext()), data.blocks(), c,
                L2Regularization.select(params, c.l2(), c.l2Params())).calculate(p);
    }

    static double norm(float[] g) {
        return DataParallelTrainer.norm(g);
    }

    @Test
    void lbfgsReachesTheL2OptimumInFewIterationsWhereSgdDoesNot(SparkSession spark) {
        TrainingData data = data(spark, rows(300, 11));
        TrainerBuilder b = DataParallelTrainer.builder(LOGREG, LossKind.BCE_WITH_LOGITS)
                .l2(0.05, WEIGHTS).lbfgs(50, 10, 1e-9);
        DataParallelTrainer.Result r = b.build().fit(spark, data);
        assertNull(r.optimizer());
        assertNotNull(r.stopReason());
        int iters = r.history().size();
        assertTrue(iters >= 3 && iters < 50, "iterations: " + iters + ", stopped: " + r.stopReason());
        for (int i = 0; i < iters; i++) {
            StepRecord s = r.history().get(i);
            assertEquals(i + 1, s.step());
            assertEquals(50, s.totalSteps());
            assertEquals(300, s.samples());
            assertTrue(Double.isNaN(s.learningRate()));
        }
        LossFunction.Evaluation at = evaluate(spark, data, b, r.flatParameters());
        LossFunction.Evaluation start = evaluate(spark, data, b, LOGREG.create().trainableParamTuple().flatten());
        // the optimum: the gradient vanishes (to float resolution) and the objective fell
        assertTrue(norm(at.gradient()) < 1e-5, "gradient norm at the L-BFGS solution " + norm(at.gradient()));
        assertTrue(norm(start.gradient()) > 1e-2, "the start is not already optimal: " + norm(start.gradient()));
        assertTrue(at.objective() < start.objective() - 1e-2);
        // the last step's reported loss is the data loss at the returned parameters
        assertEquals(at.meanLoss(), r.history().get(iters - 1).loss(), 1e-12);
        // full-batch SGD with the same number of full passes is still far away
        long passes = iters * 2L;
        float[] sgd = DataParallelTrainer.builder(LOGREG, LossKind.BCE_WITH_LOGITS, p -> SGD.builder(p, 0.5).build())
                .l2(0.05, WEIGHTS).steps(passes).build().fit(spark, data).flatParameters();
        LossFunction.Evaluation sgdAt = evaluate(spark, data, b, sgd);
        assertTrue(norm(sgdAt.gradient()) > 100 * norm(at.gradient()),
                "SGD after " + passes + " steps: gradient norm " + norm(sgdAt.gradient()) + " vs L-BFGS " + norm(at.gradient()));
    }

    @Test
    void resumingAnLbfgsRunFromItsCheckpointGivesBitwiseTheSameParameters(SparkSession spark, @TempDir Path tmp)
            throws Exception {
        List<Sample> rows = rows(240, 5);
        String whole = tmp.resolve("whole").toUri().toString();
        String broken = tmp.resolve("broken").toUri().toString();
        DataParallelTrainer.Result uninterrupted = DataParallelTrainer.builder(MLP, LossKind.BCE_WITH_LOGITS)
                .l2(0.01, WEIGHTS).lbfgs(12, 5, 0).checkpoints(whole, 3).build().fit(spark, data(spark, rows));
        assertEquals(12, uninterrupted.history().size(), "tolerance 0: all iterations run (" + uninterrupted.stopReason() + ")");

        // the second run dies while it computes iteration 8: every attempt of a task fails
        TaskHook crash = (partition, step, attempt) -> {
            if (step == 8) {
                throw new IllegalStateException("simulated crash in iteration 8");
            }
        };
        Exception e = assertThrows(Exception.class, () -> DataParallelTrainer.builder(MLP, LossKind.BCE_WITH_LOGITS)
                .l2(0.01, WEIGHTS).lbfgs(12, 5, 0).checkpoints(broken, 3).taskHook(crash).build()
                .fit(spark, data(spark, rows)));
        assertTrue(String.valueOf(e.getMessage()).contains("simulated crash"), e.toString());

        // the checkpoint of iteration 6 holds the minimiser's state: point, history pairs, convergence memory
        CheckpointStore store = new CheckpointStore(broken);
        assertEquals(List.of(3L, 6L), store.steps());
        Checkpoint cp = store.read(6);
        OptimizerState st = cp.optimizerState();
        assertEquals("LBFGS", st.kind());
        assertEquals(6, st.step());
        assertTrue(st.slotNames().containsAll(List.of("x", "grad", "values", "s/0", "y/0", "s/4", "y/4")), st.slotNames().toString());
        assertTrue(st.slotNames().stream().anyMatch(n -> n.startsWith("info/")), "the convergence memory: " + st.slotNames());
        assertTrue(!st.slotNames().contains("s/5"), "memory 5 keeps 5 pairs: " + st.slotNames());
        assertEquals(MLP.create().trainableParamTuple().flatten().length, st.slot("x").length);

        DataParallelTrainer.Result resumed = DataParallelTrainer.builder(MLP, LossKind.BCE_WITH_LOGITS)
                .l2(0.01, WEIGHTS).lbfgs(12, 5, 0).checkpoints(broken, 3).resume(true).build()
                .fit(spark, data(spark, rows));
        assertEquals(6, resumed.history().size()); // iterations 7 to 12
        assertEquals(7, resumed.history().get(0).step());
        assertArrayEquals(uninterrupted.flatParameters(), resumed.flatParameters());
        for (int i = 0; i < 6; i++) {
            assertEquals(uninterrupted.history().get(6 + i).loss(), resumed.history().get(i).loss(), 0.0);
        }
        // an L-BFGS checkpoint does not resume a run with other settings, nor an SGD run
        IllegalArgumentException other = assertThrows(IllegalArgumentException.class,
                () -> DataParallelTrainer.builder(MLP, LossKind.BCE_WITH_LOGITS).l2(0.01, WEIGHTS)
                        .owlqn(12, 5, 0, 0.01, WEIGHTS).checkpoints(broken, 3).resume(true).build()
                        .fit(spark, data(spark, rows)));
        assertTrue(other.getMessage().contains("LBFGS") && other.getMessage().contains("OWLQN"), other.getMessage());
        IllegalArgumentException sgd = assertThrows(IllegalArgumentException.class,
                () -> DataParallelTrainer.builder(MLP, LossKind.BCE_WITH_LOGITS, p -> SGD.builder(p, 0.1).build())
                        .steps(12).checkpoints(broken, 3).resume(true).build().fit(spark, data(spark, rows)));
        assertTrue(sgd.getMessage().contains("LBFGS"), sgd.getMessage());
    }

    @Test
    void owlqnZeroesWeakWeightsAndMeetsTheL1OptimalityConditions(SparkSession spark) {
        TrainingData data = data(spark, rows(400, 21));
        double l1 = 0.05;
        DataParallelTrainer.Result r = DataParallelTrainer.builder(LOGREG, LossKind.BCE_WITH_LOGITS)
                .owlqn(100, 10, 1e-10, l1, WEIGHTS).build().fit(spark, data);
        float[] p = r.flatParameters(); // 0.weight (4), then 0.bias
        // the gradient of the smooth part (no L2 here): mean BCE
        LossFunction.Evaluation at = evaluate(spark, data,
                DataParallelTrainer.builder(LOGREG, LossKind.BCE_WITH_LOGITS).lbfgs(1, 1, 0), p);
        int zeros = 0;
        for (int j = 0; j < DIM; j++) {
            double g = at.gradient()[j];
            if (p[j] == 0f) {
                zeros++;
                assertTrue(Math.abs(g) <= l1 + 1e-5, "a zero weight " + j + " with |gradient| " + Math.abs(g) + " > l1");
            } else {
                assertEquals(0, g + l1 * Math.signum(p[j]), 2e-4, "weight " + j + " = " + p[j]);
            }
        }
        // x_1 and x_2 have true coefficients -0.5 and 0.5, x_0 and x_3 -1.5 and 1.5: the weak ones go
        assertTrue(zeros >= 1 && zeros < DIM, "zero weights: " + zeros + " in " + java.util.Arrays.toString(p));
        assertTrue(p[0] < 0 && p[3] > 0, java.util.Arrays.toString(p));
        assertEquals(0, at.gradient()[DIM], 1e-5, "the bias is not penalised: its gradient vanishes");
    }

    @Test
    void lbfgsSettingsAreChecked() {
        TrainerBuilder sgd = DataParallelTrainer.builder(LOGREG, LossKind.BCE_WITH_LOGITS,
                p -> SGD.builder(p, 0.1).build());
        IllegalArgumentException both = assertThrows(IllegalArgumentException.class, () -> sgd.lbfgs(10, 5, 0).config());
        assertTrue(both.getMessage().contains("both an optimizer and L-BFGS"), both.getMessage());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> DataParallelTrainer.builder(LOGREG, LossKind.BCE_WITH_LOGITS).config());
        assertTrue(none.getMessage().contains("an optimizer or L-BFGS is needed"), none.getMessage());
        IllegalArgumentException batch = assertThrows(IllegalArgumentException.class,
                () -> DataParallelTrainer.builder(LOGREG, LossKind.BCE_WITH_LOGITS).lbfgs(10, 5, 0).batchSize(8).config());
        assertTrue(batch.getMessage().contains("full-batch"), batch.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> DataParallelTrainer.builder(LOGREG, LossKind.BCE_WITH_LOGITS).lbfgs(10, 5, 0).clipGlobalNorm(1).config());
        assertThrows(IllegalArgumentException.class, () -> Lbfgs.of(0, 5, 0));
        assertThrows(IllegalArgumentException.class, () -> Lbfgs.of(10, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> Lbfgs.of(10, 5, -1));
        assertThrows(IllegalArgumentException.class,
                () -> DataParallelTrainer.builder(LOGREG, LossKind.BCE_WITH_LOGITS).owlqn(10, 5, 0, 0, WEIGHTS));
        TrainerConfig c = DataParallelTrainer.builder(LOGREG, LossKind.BCE_WITH_LOGITS).lbfgs(25, 7, 1e-6).epochs(3).config();
        assertEquals(25, c.totalSteps(c.stepsPerEpoch(1000)));
        assertEquals("LBFGS", c.lbfgs().kind());
        assertEquals(7, c.lbfgs().memory());
    }
}
