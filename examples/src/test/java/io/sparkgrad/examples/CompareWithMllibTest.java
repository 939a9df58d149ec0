package io.sparkgrad.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.spark.testing.LocalSpark;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * SparkGrad's logreg and MLlib's LogisticRegression, same data, objective (lambda 0.01, intercept
 * not regularised) and iteration budget, agree within the tolerance of {@link CompareWithMllib}
 * (1e-4 times the coefficient scale; measured 3e-7), and the tolerance is tight enough to
 * reject a different lambda, the untrained model and an unconverged SparkGrad run. Why the two
 * optimizers use the budget differently (L-BFGS stops after ~30 iterations, first-order SGD
 * needs ~300 steps) is explained on {@link CompareWithMllib}.
 */
@LocalSpark(master = "local[2]", conf = CompareWithMllib.KRYO_SETTING)
class CompareWithMllibTest {

    @Test
    void coefficientsAndInterceptAgreeWithMllibWithinTheToleranceAndOtherModelsDoNot(SparkSession spark) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        CompareWithMllib.Comparison c = CompareWithMllib.run(spark, new PrintStream(buf, true, StandardCharsets.UTF_8));
        String out = buf.toString(StandardCharsets.UTF_8);
        System.out.print(out);
        double tol = c.tolerance();
        assertEquals(CompareWithMllib.RELATIVE_TOLERANCE * c.mllib().scale(), tol, 0.0);
        assertTrue(c.mllib().scale() > 0.1, "a non-trivial model: " + c.mllib().scale());
        assertEquals(30, c.mllib().coefficients().length);
        assertTrue(c.maxAbsDiff() <= tol, "max abs diff " + c.maxAbsDiff() + " > " + tol + "\n" + out);
        assertTrue(c.sparkgradObjective() <= c.mllibObjective() + 1e-9, "SparkGrad reached the optimum too\n" + out);
        assertTrue(out.contains("AGREE") && out.contains("intercept"), out);

        // the tolerance means something: these are all outside it
        Dataset<Row> df = CompareWithMllib.trainingFrame(spark);
        CompareWithMllib.Fit otherLambda = CompareWithMllib.mllib(df, 0.1, CompareWithMllib.ITERATIONS);
        CompareWithMllib.Fit untrained = CompareWithMllib.fromFlat(
                CompareWithMllib.model(30).create().trainableParamTuple().flatten(), 0);
        CompareWithMllib.Fit thirtySteps = CompareWithMllib.sparkgrad(spark, df, CompareWithMllib.LAMBDA, 30, null);
        df.unpersist();
        String[] names = {"MLlib with lambda 0.1", "the untrained SparkGrad model", "SparkGrad after 30 steps"};
        CompareWithMllib.Fit[] controls = {otherLambda, untrained, thirtySteps};
        for (int i = 0; i < controls.length; i++) {
            double d = c.mllib().maxAbsDiff(controls[i]);
            System.out.printf("control, %s: max abs diff %.3e (tolerance %.3e)%n", names[i], d, tol);
            assertTrue(d > 10 * tol, names[i] + " is within 10x the tolerance: " + d);
        }
    }
}
