package io.sparkgrad.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.nn.SGD;
import io.sparkgrad.spark.testing.LocalSpark;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** {@link TrainerBuilder#l2}: the gradient it adds, checked against one computed by hand. */
@LocalSpark(master = "local[2]")
class L2PenaltyTest {
    static final int DIM = 3;
    static final ModelSpec LOGREG = ModelSpec.parse("logreg", DIM, 1, 5);
    static final List<Sample> ROWS = List.of(
            new Sample(new float[] {1f, -2f, 0.5f}, 1f),
            new Sample(new float[] {0.3f, 0.7f, -1.5f}, 0f),
            new Sample(new float[] {-1.2f, 0.4f, 2f}, 1f),
            new Sample(new float[] {2f, 1f, -0.25f}, 0f),
            new Sample(new float[] {0f, -0.6f, 0.9f}, 1f));

    static TrainingData data(SparkSession spark) {
        return TrainingData.fromRdd(JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(ROWS, 2), DIM);
    }

    /** One full-batch step of plain SGD with learning rate 1, so {@code p1 = p0 - gradient}. */
    static float[] oneStep(SparkSession spark, double lambda, java.util.function.Predicate<String> which) {
        TrainerBuilder b = DataParallelTrainer.builder(LOGREG, LossKind.BCE_WITH_LOGITS,
                p -> SGD.builder(p, 1.0).build()).steps(1);
        if (which != null) {
            b.l2(lambda, which);
        }
        return b.build().fit(spark, data(spark)).flatParameters();
    }

    @Test
    void theL2TermAddsLambdaTimesTheWeightsButNotTheBiasToTheMeanLossGradient(SparkSession spark) {
        double lambda = 0.3;
        float[] p0 = LOGREG.create().trainableParamTuple().flatten(); // 0.weight [1, 3], then 0.bias [1]
        assertEquals(List.of("0.weight", "0.bias"), LOGREG.create().trainableParamNames());
        // by hand: d/dw mean BCE = mean((sigmoid(z) - y) x), d/db = mean(sigmoid(z) - y); plus lambda w on w
        double[] expected = new double[DIM + 1];
        for (Sample s : ROWS) {
            double z = p0[DIM];
            for (int j = 0; j < DIM; j++) {
                z += p0[j] * s.features()[j];
            }
            double r = 1 / (1 + Math.exp(-z)) - s.label();
            for (int j = 0; j < DIM; j++) {
                expected[j] += r * s.features()[j] / ROWS.size();
            }
            expected[DIM] += r / ROWS.size();
        }
        for (int j = 0; j < DIM; j++) {
            expected[j] += lambda * p0[j];
        }
        float[] p1 = oneStep(spark, lambda, name -> name.endsWith("weight"));
        for (int j = 0; j <= DIM; j++) {
            assertEquals(expected[j], p0[j] - p1[j], 1e-6, "parameter " + j);
        }
        // and against the same step without the term: only the weights moved by lambda * p0
        float[] plain = oneStep(spark, 0, null);
        for (int j = 0; j < DIM; j++) {
            assertEquals(lambda * p0[j], plain[j] - p1[j], 1e-6, "weight " + j);
        }
        assertEquals(plain[DIM], p1[DIM], 0.0, "the bias is not regularised");
        assertTrue(Math.abs(lambda * p0[0]) > 1e-3, "the check is not vacuous");
    }

    @Test
    void aSelectionThatMatchesNoParameterAndABadLambdaAreRejected(SparkSession spark) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> oneStep(spark, 0.1, name -> name.equals("weight")));
        assertTrue(e.getMessage().contains("0.weight"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> oneStep(spark, -1, name -> true));
        assertThrows(IllegalArgumentException.class, () -> oneStep(spark, Double.NaN, name -> true));
    }
}
