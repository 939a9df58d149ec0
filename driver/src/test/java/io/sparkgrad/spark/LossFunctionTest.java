package io.sparkgrad.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.ParameterTuple;
import io.sparkgrad.nn.SGD;
import io.sparkgrad.spark.testing.GradientAssertions;
import io.sparkgrad.spark.testing.LocalSpark;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** {@link LossFunction} on its own: parameters in, scaled and regularised loss and gradient out. */
@LocalSpark(master = "local[2]")
class LossFunctionTest {
    static final ModelSpec LOGREG = L2PenaltyTest.LOGREG;
    static final List<Sample> ROWS = L2PenaltyTest.ROWS;
    static final int DIM = L2PenaltyTest.DIM;

    private static TrainerBuilder builder(ModelFactory f, LossKind loss) {
        return DataParallelTrainer.builder(f, loss, p -> SGD.builder(p, 1.0).build());
    }

    private static LossFunction lossFunction(SparkSession spark, List<Sample> rows, int dim, int partitions,
                                             TrainerBuilder b) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        TrainerConfig c = b.config();
        TrainingData data = TrainingData.fromRdd(sc.parallelize(rows, partitions), dim);
        ParameterTuple params = c.model().create().trainableParamTuple();
        return new LossFunction(sc, data.blocks(), c, L2Regularization.select(params, c.l2(), c.l2Params()));
    }

    @Test
    void logisticLossWithL2OnTheWeightsMatchesTheHandComputedObjectiveAndGradient(SparkSession spark) {
        double lambda = 0.3;
        LossFunction f = lossFunction(spark, ROWS, DIM, 2,
                builder(LOGREG, LossKind.BCE_WITH_LOGITS).l2(lambda, name -> name.endsWith("weight")));
        float[] p0 = LOGREG.create().trainableParamTuple().flatten(); // 0.weight [1, 3], then 0.bias [1]
        // by hand: mean BCE with logits, its gradient, and lambda/2 ||w||^2 with gradient lambda w
        double loss = 0;
        double[] grad = new double[DIM + 1];
        for (Sample s : ROWS) {
            double z = p0[DIM];
            for (int j = 0; j < DIM; j++) {
                z += p0[j] * s.features()[j];
            }
            loss += (Math.max(z, 0) - z * s.label() + Math.log1p(Math.exp(-Math.abs(z)))) / ROWS.size();
            double r = 1 / (1 + Math.exp(-z)) - s.label();
            for (int j = 0; j < DIM; j++) {
                grad[j] += r * s.features()[j] / ROWS.size();
            }
            grad[DIM] += r / ROWS.size();
        }
        double penalty = 0;
        for (int j = 0; j < DIM; j++) {
            grad[j] += lambda * p0[j];
            penalty += lambda / 2 * p0[j] * p0[j];
        }
        LossFunction.Evaluation e = f.calculate(p0);
        assertTrue(e.usable());
        assertEquals(ROWS.size(), e.count());
        assertEquals(ROWS.size(), e.weight(), 0.0);
        assertEquals(loss, e.meanLoss(), 1e-6, "the mean data loss, without the penalty");
        assertEquals(loss + penalty, e.objective(), 1e-6);
        assertTrue(penalty > 1e-3, "the penalty is not vacuous: " + penalty);
        for (int j = 0; j <= DIM; j++) {
            assertEquals(grad[j], e.gradient()[j], 1e-6, "parameter " + j);
        }
    }

    @Test
    void theDefaultSensGivesTheLocalMeanLossGradientAndAScalarSensScalesIt(SparkSession spark) {
        ModelSpec mlp = DistributedGradientTest.MLP;
        List<Sample> rows = DistributedGradientTest.rows(60, 21, true, 3);
        float[] local = GradientAssertions.localGradient(mlp, LossKind.SOFTMAX_CROSS_ENTROPY, rows);
        float[] p0 = mlp.create().trainableParamTuple().flatten();
        LossFunction mean = lossFunction(spark, rows, DistributedGradientTest.DIM, 3,
                builder(mlp, LossKind.SOFTMAX_CROSS_ENTROPY).microBatch(16));
        LossFunction.Evaluation e = mean.calculate(p0);
        DistributedGradientTest.assertClose(local, e.gradient(), 1e-5, 1e-6);
        assertEquals(e.meanLoss(), e.objective(), 0.0, "no penalty: the objective is the mean loss");
        assertTrue(e.weight() > 60 * 0.5 && e.weight() < 60 * 2.0, "weights in [0.5, 2): " + e.weight());
        // the same inputs give the same bits
        assertArrayEquals(e.gradient(), mean.calculate(p0).gradient());

        LossFunction half = lossFunction(spark, rows, DistributedGradientTest.DIM, 3,
                builder(mlp, LossKind.SOFTMAX_CROSS_ENTROPY).microBatch(16).sens(Sens.scalar(0.5)));
        LossFunction.Evaluation s = half.calculate(p0);
        assertEquals(0.5 * e.weight() * e.meanLoss(), s.objective(), 1e-9 * s.objective());
        assertEquals(e.meanLoss(), s.meanLoss(), 0.0, "the reported loss does not depend on the sens");
        for (int i = 0; i < local.length; i++) {
            assertEquals(0.5 * e.weight() * local[i], s.gradient()[i], 1e-5 + 1e-5 * Math.abs(e.weight() * local[i]),
                    "element " + i);
        }
    }

    @Test
    void oneTrainerStepIsTheOptimizerStepOnTheLossFunctionsGradientBitwise(SparkSession spark) {
        double lambda = 0.1;
        TrainerBuilder b = builder(LOGREG, LossKind.BCE_WITH_LOGITS).steps(1).clipGlobalNorm(0)
                .l2(lambda, name -> name.endsWith("weight"));
        TrainerConfig c = b.config();
        float[] trained = b.build().fit(spark, TrainingData.fromRdd(
                JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(ROWS, 2), DIM)).flatParameters();
        // the plan of step 1 of a full-batch run with the default seed and shuffle
        StepPlan plan = new StepPlan(1, 0, 0, 1, c.seed(), c.shuffle(), c.microBatch());
        ParameterTuple params = LOGREG.create().trainableParamTuple();
        LossFunction.Evaluation e = lossFunction(spark, ROWS, DIM, 2, b).calculate(params.flatten(), plan);
        SGD.builder(params, 1.0).build().step(e.gradient());
        assertArrayEquals(params.flatten(), trained);
        assertFalse(java.util.Arrays.equals(params.flatten(), LOGREG.create().trainableParamTuple().flatten()),
                "the step moved the parameters");
    }

    @Test
    void aNonFiniteLossIsReportedNotReturnedAsAGradient(SparkSession spark) {
        ModelSpec reg = ModelSpec.parse("mlp:4,1", DistributedGradientTest.DIM, 1, 5);
        List<Sample> rows = new ArrayList<>(DistributedGradientTest.rows(20, 6, false, 2));
        rows.set(13, new Sample(rows.get(13).features(), 1e30f)); // partition 1 (of 2), its row 3
        LossFunction f = lossFunction(spark, rows, DistributedGradientTest.DIM, 2, builder(reg, LossKind.MSE));
        LossFunction.Evaluation e = f.calculate(reg.create().trainableParamTuple().flatten());
        assertFalse(e.usable());
        assertNull(e.gradient());
        assertTrue(Double.isNaN(e.objective()) && Double.isNaN(e.meanLoss()));
        assertEquals(20, e.count());
        assertEquals("non-finite loss Infinity at partition 1, row 3 (non-finite loss)", e.problem());
    }
}
