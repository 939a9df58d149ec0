package io.sparkgrad.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.spark.testing.LocalSpark;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code validationIndicatorCol} and {@code earlyStoppingRounds} on the estimator. The data: two
 * Gaussian blobs ({@link Blobs#frame}); every fourth row is a validation row ({@code isVal}), and
 * 30% of those have the other class's label, so the validation loss falls at first and then rises as
 * the model grows confident on the clean training rows.
 */
@LocalSpark(master = "local[2]")
class EarlyStoppingEstimatorTest {
    private static Dataset<Row> data(SparkSession spark) {
        Dataset<Row> df = Blobs.frame(spark, 240, 2, 31, 2).withColumn("i", functions.monotonically_increasing_id());
        Column isVal = functions.col("i").mod(4).equalTo(0);
        Column flipped = isVal.and(functions.col("i").mod(40).lt(12));
        return df.withColumn("isVal", isVal)
                .withColumn("label", functions.when(flipped, functions.lit(1.0).minus(functions.col("label")))
                        .otherwise(functions.col("label")))
                .drop("i");
    }

    private static SparkGradEstimator estimator() {
        return new SparkGradEstimator().setMaxIter(60).setStepSize(0.01).setSeed(5).setTol(0);
    }

    @Test
    void validationRowsAreLeftOutOfTrainingAndEarlyStoppingKeepsTheBestEpoch(SparkSession spark) {
        Dataset<Row> df = data(spark).cache();
        // 1. the indicator alone: validation rows are evaluated, not trained on, not in the scaling
        SparkGradModel withVal = estimator().setMaxIter(4).setValidationIndicatorCol("isVal").fit(df);
        SparkGradModel trainOnly = estimator().setMaxIter(4).fit(df.filter(functions.not(functions.col("isVal"))));
        assertArrayEquals(trainOnly.weights(), withVal.weights());
        assertArrayEquals(trainOnly.mean(), withVal.mean());
        assertEquals(4, withVal.validationLossHistory().length);
        assertEquals(4, withVal.bestIteration(), "no early stopping: the last epoch");
        assertEquals(0, trainOnly.validationLossHistory().length);

        // 2. early stopping
        SparkGradModel stopped = estimator().setValidationIndicatorCol("isVal").setEarlyStoppingRounds(3).fit(df);
        double[] v = stopped.validationLossHistory();
        int best = stopped.bestIteration();
        assertEquals(6, best, Arrays.toString(v));
        assertEquals(9, stopped.totalIterations(), "stopped after " + stopped.totalIterations() + " of 60 epochs");
        assertEquals(best + 3, stopped.totalIterations(), "three epochs without improvement after the best");
        assertEquals(stopped.totalIterations(), v.length);
        assertTrue(best >= 2, "the loss fell first: " + Arrays.toString(v));
        for (int i = 0; i < v.length; i++) {
            assertTrue(i == best - 1 || v[i] > v[best - 1], i + ": " + Arrays.toString(v));
        }
        // the model holds the best epoch's parameters: those of a fit of that many epochs
        SparkGradModel ofBest = estimator().setValidationIndicatorCol("isVal").setMaxIter(best).fit(df);
        assertArrayEquals(ofBest.weights(), stopped.weights());
        SparkGradModel ofAll = estimator().setValidationIndicatorCol("isVal").setMaxIter(stopped.totalIterations())
                .fit(df);
        assertFalse(Arrays.equals(ofAll.weights(), stopped.weights()));
        df.unpersist();
    }

    @Test
    void aResumedFitContinuesTheSameDecision(SparkSession spark, @TempDir Path tmp) {
        Dataset<Row> df = data(spark).cache();
        SparkGradEstimator e = estimator().setValidationIndicatorCol("isVal").setEarlyStoppingRounds(3);
        SparkGradModel whole = e.copy(ParamMap.empty()).fit(df);
        String dir = tmp.resolve("ckpt").toUri().toString();
        // a fit whose maxIter ends it one epoch after the best, then one resumed with the full maxIter
        e.copy(ParamMap.empty()).setCheckpointDir(dir).setMaxIter(whole.bestIteration() + 1).fit(df);
        SparkGradModel resumed = e.copy(ParamMap.empty()).setCheckpointDir(dir).fit(df);
        assertArrayEquals(whole.weights(), resumed.weights());
        assertEquals(whole.bestIteration(), resumed.bestIteration());
        assertEquals(whole.totalIterations() - whole.bestIteration() - 1, resumed.totalIterations(),
                "the resumed fit ran the remaining epochs only");
        df.unpersist();
    }

    @Test
    void theIndicatorMustBeABooleanColumnAndRoundsNeedIt(SparkSession spark) {
        Dataset<Row> df = data(spark);
        SparkGradEstimator e = new SparkGradEstimator("sg_v");
        assertEquals("", e.getValidationIndicatorCol());
        assertEquals(0, e.getEarlyStoppingRounds());
        assertEquals(0.0, e.getEarlyStoppingTol());
        IllegalArgumentException wrongType = assertThrows(IllegalArgumentException.class,
                () -> e.copy(ParamMap.empty()).setValidationIndicatorCol("w").transformSchema(df.schema()));
        assertEquals("validationIndicator column 'w' must be boolean but is double", wrongType.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> e.copy(ParamMap.empty()).setValidationIndicatorCol("nope").transformSchema(df.schema()));
        assertTrue(missing.getMessage().startsWith("validationIndicator column 'nope' does not exist"),
                missing.getMessage());
        IllegalArgumentException noSet = assertThrows(IllegalArgumentException.class,
                () -> e.copy(ParamMap.empty()).setEarlyStoppingRounds(2).fit(df));
        assertEquals("earlyStoppingRounds 2 needs a validation set: set validationIndicatorCol", noSet.getMessage());
        assertThrows(IllegalArgumentException.class, () -> e.setEarlyStoppingRounds(-1));
        assertThrows(IllegalArgumentException.class, () -> e.setEarlyStoppingTol(-0.5));
        SparkGradEstimator set = e.copy(ParamMap.empty()).setValidationIndicatorCol("isVal").setEarlyStoppingRounds(4)
                .setEarlyStoppingTol(1e-3);
        assertEquals("isVal", set.getValidationIndicatorCol());
        assertEquals(4, set.getEarlyStoppingRounds());
        assertEquals(1e-3, set.getEarlyStoppingTol());
        assertTrue(set.explainParams().contains("validationIndicatorCol: name of a boolean column"),
                set.explainParams());
        assertEquals(df.schema().length() + 3, set.transformSchema(df.schema()).length());
    }
}
