package io.sparkgrad.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.DType;
import io.sparkgrad.spark.DataParallelTrainer;
import io.sparkgrad.spark.TrainerBuilder;
import io.sparkgrad.spark.LossKind;
import io.sparkgrad.spark.TrainingData;
import io.sparkgrad.spark.testing.LocalSpark;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * SparkGrad's full-batch L-BFGS ({@link TrainerBuilder#lbfgs}, Breeze's minimiser on
 * SparkGrad's distributed objective) and MLlib's {@code LogisticRegression} (Breeze's L-BFGS on
 * MLlib's), on the standardised breast cancer training rows with the same objective
 * ({@code mean logloss + lambda/2 ||w||^2}, intercept not penalised, lambda
 * {@value CompareWithMllib#LAMBDA}) and the same {@code maxIter} and tolerance, reach the same
 * objective within 1e-6 and the same coefficients and intercept within {@value #COEFFICIENT_TOLERANCE}.
 * SparkGrad's model computes in float64 (parameters still travel as float32). Both objectives are
 * computed in double by {@link CompareWithMllib#objective}.
 */
@LocalSpark(master = "local[2]", conf = CompareWithMllib.KRYO_SETTING)
class LbfgsVsMllibTest {
    static final int MAX_ITER = 100;
    /**
     * The bound. Measured: 1.2e-7 (objective difference 3e-16), with the model computing in
     * float64 ({@code ModelSpec.withDtype}, as MLlib computes in double): both runs converge, in 31
     * and 30 iterations. In float32 the line search gave up at 18 iterations ("line search failed":
     * a float32 loss sum cannot resolve the 1e-9 changes near the optimum), 1.32e-4 apart.
     */
    static final double COEFFICIENT_TOLERANCE = 1e-4;

    @Test
    void lbfgsReachesMllibsObjectiveAndCoefficients(SparkSession spark) {
        Dataset<Row> df = CompareWithMllib.trainingFrame(spark);
        CompareWithMllib.Fit ml = CompareWithMllib.mllib(df, CompareWithMllib.LAMBDA, MAX_ITER);
        TrainingData data = TrainingData.fromDataset(df, "features", "label", null).cache();
        DataParallelTrainer.Result r = DataParallelTrainer
                .builder(CompareWithMllib.model(data.dim()).withDtype(DType.FLOAT64), LossKind.BCE_WITH_LOGITS)
                .l2(CompareWithMllib.LAMBDA, name -> name.endsWith("weight"))
                .lbfgs(MAX_ITER, 10, 0.0)
                .build().fit(spark, data);
        data.unpersist();
        assertNull(r.optimizer());
        int iterations = r.history().size();
        CompareWithMllib.Fit sg = CompareWithMllib.fromFlat(r.flatParameters(), iterations);
        double mlObjective = CompareWithMllib.objective(df, ml, CompareWithMllib.LAMBDA);
        double sgObjective = CompareWithMllib.objective(df, sg, CompareWithMllib.LAMBDA);
        double diff = ml.maxAbsDiff(sg);
        CompareWithMllib.Fit untrained = CompareWithMllib.fromFlat(
                CompareWithMllib.model(30).create().trainableParamTuple().flatten(), 0);
        double untrainedObjective = CompareWithMllib.objective(df, untrained, CompareWithMllib.LAMBDA);
        System.out.printf(Locale.ROOT, "MLlib: %d iterations, objective %.12f; SparkGrad L-BFGS: %d iterations (%s), "
                        + "objective %.12f; objective diff %.3e, max abs coefficient diff %.3e (scale %.4f); "
                        + "untrained objective %.6f%n",
                ml.iterations(), mlObjective, iterations, r.stopReason(), sgObjective,
                Math.abs(mlObjective - sgObjective), diff, ml.scale(), untrainedObjective);
        df.unpersist();
        assertEquals(30, ml.coefficients().length);
        assertTrue(ml.scale() > 0.1, "a non-trivial model: " + ml.scale());
        assertTrue(untrainedObjective > mlObjective + 0.1, "the start is far from the optimum: " + untrainedObjective);
        assertTrue(iterations >= 5 && iterations <= MAX_ITER, "iterations " + iterations);
        assertEquals(mlObjective, sgObjective, 1e-6, "objective");
        assertTrue(diff <= COEFFICIENT_TOLERANCE, "max abs coefficient/intercept difference " + diff);
    }
}
