package io.sparkgrad.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.spark.testing.LocalSpark;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** The estimator's Spark ML contract (params, copy, schema checks) and what fit and transform produce. */
@LocalSpark(master = "local[2]")
class SparkGradEstimatorTest {

    @Test
    void paramsFollowSparkConventions() {
        SparkGradEstimator e = new SparkGradEstimator("sg_1");
        assertEquals("sg_1", e.uid());
        List<String> names = Arrays.stream(e.params()).map(p -> p.name()).toList();
        assertEquals(List.of("aggregationDepth", "batchSize", "checkpointDir", "earlyStoppingRounds",
                "earlyStoppingTol", "featuresCol", "labelCol", "loss", "maxIter", "model", "optimizer", "predictionCol",
                "probabilityCol", "rawPredictionCol", "regParam", "seed", "standardization", "stepSize", "tol",
                "validationIndicatorCol", "weightCol"), names);
        assertTrue(Arrays.stream(e.params()).allMatch(p -> p.parent().equals("sg_1")));
        assertTrue(e.getStandardization());
        assertEquals(100, e.getMaxIter());
        assertEquals(2, e.getAggregationDepth());
        assertEquals("features", e.getFeaturesCol());
        assertEquals("", e.getWeightCol());
        assertEquals((long) SparkGradEstimator.class.getName().hashCode(), e.getSeed());
        assertTrue(e.explainParams().contains("stepSize: the optimizer's learning rate"), e.explainParams());

        e.setStepSize(0.5).setModel("mlp:8,2").setMaxIter(3);
        SparkGradEstimator c = e.copy(new ParamMap().put(e.stepSize().w(0.25)));
        assertEquals("sg_1", c.uid());
        assertEquals(0.25, c.getStepSize());
        assertEquals(0.5, e.getStepSize());
        assertEquals("mlp:8,2", c.getModel());
        assertEquals(3, c.getMaxIter());

        assertThrows(IllegalArgumentException.class, () -> e.setModel("cnn:3"));
        assertThrows(IllegalArgumentException.class, () -> e.setLoss("hinge"));
        assertThrows(IllegalArgumentException.class, () -> e.setStepSize(0));
        assertThrows(IllegalArgumentException.class, () -> e.setAggregationDepth(1));
    }

    @Test
    void transformSchemaNamesTheWrongColumn() {
        SparkGradEstimator e = new SparkGradEstimator();
        StructType ok = new StructType().add("features", SQLDataTypes.VectorType()).add("label", DataTypes.DoubleType);
        StructType out = e.transformSchema(ok);
        assertEquals(List.of("features", "label", "rawPrediction", "probability", "prediction"),
                Arrays.asList(out.fieldNames()));
        assertEquals(SQLDataTypes.VectorType(), out.apply("probability").dataType());
        assertEquals(DataTypes.DoubleType, out.apply("prediction").dataType());

        StructType arrays = new StructType().add("features", DataTypes.createArrayType(DataTypes.DoubleType))
                .add("label", DataTypes.DoubleType);
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> e.transformSchema(arrays));
        assertTrue(x.getMessage().contains("features column 'features' must be of type ml Vector"), x.getMessage());

        StructType textLabel = new StructType().add("features", SQLDataTypes.VectorType()).add("y", DataTypes.StringType);
        x = assertThrows(IllegalArgumentException.class, () -> e.setLabelCol("y").transformSchema(textLabel));
        assertTrue(x.getMessage().contains("label column 'y' must be numeric but is string"), x.getMessage());

        x = assertThrows(IllegalArgumentException.class, () -> e.setWeightCol("wt").transformSchema(
                textLabel.add("z", DataTypes.DoubleType).add("yy", DataTypes.DoubleType)));
        assertTrue(x.getMessage().contains("column 'y'"), x.getMessage());
        e.setLabelCol("label");
        x = assertThrows(IllegalArgumentException.class, () -> e.transformSchema(ok));
        assertTrue(x.getMessage().contains("weight column 'wt' does not exist"), x.getMessage());

        SparkGradEstimator reg = new SparkGradEstimator().setLoss("mse");
        assertEquals(List.of("features", "label", "prediction"), Arrays.asList(reg.transformSchema(ok).fieldNames()));
        x = assertThrows(IllegalArgumentException.class, () -> reg.setPredictionCol("label").transformSchema(ok));
        assertTrue(x.getMessage().contains("prediction column 'label' already exists"), x.getMessage());
    }

    @Test
    void fitsThreeClassesAndTransformAddsMllibColumns(SparkSession spark) {
        Dataset<Row> df = Blobs.frame(spark, 300, 3, 1, 3).cache();
        SparkGradEstimator e = new SparkGradEstimator().setModel("mlp:16,3").setMaxIter(40).setStepSize(0.05)
                .setSeed(7).setTol(0);
        SparkGradModel m = e.fit(df);
        assertSame(e, m.parent());
        assertEquals(e.uid(), m.uid());
        assertEquals("mlp:16,3", m.getModel());
        assertEquals(3, m.numFeatures());
        assertEquals(3, m.numClasses());
        // the model keeps the training mean and std (class centres 0, 1, 2 on feature 2, times 100)
        assertEquals(100, m.mean()[2], 10);
        assertTrue(m.std()[2] > 100 && m.std()[2] < 140, "std " + m.std()[2]);

        Dataset<Row> out = m.transform(df);
        assertEquals(List.of("features", "label", "w", "rawPrediction", "probability", "prediction"),
                Arrays.asList(out.columns()));
        List<Row> rows = out.collectAsList();
        assertEquals(300, rows.size());
        long right = 0;
        for (Row r : rows) {
            Vector raw = r.getAs("rawPrediction");
            Vector p = r.getAs("probability");
            double pred = r.getAs("prediction");
            assertEquals(3, p.size());
            assertEquals(1.0, Arrays.stream(p.toArray()).sum(), 1e-12);
            assertEquals(raw.argmax(), (int) pred);
            assertEquals(p.argmax(), (int) pred);
            Vector f = r.getAs("features");
            assertEquals(pred, m.predict(f), 0.0);
            assertArrayEquals(raw.toArray(), m.predictRaw(f).toArray(), 0.0);
            right += pred == r.<Double>getAs("label") ? 1 : 0;
        }
        assertTrue(right >= 280, "accuracy " + right + "/300");
        df.unpersist();
    }

    @Test
    void standardizationOffKeepsIdentityScaling(SparkSession spark) {
        Dataset<Row> df = Blobs.frame(spark, 200, 2, 2, 2);
        SparkGradModel m = new SparkGradEstimator().setStandardization(false).setMaxIter(2).fit(df);
        assertArrayEquals(new double[3], m.mean(), 0.0);
        assertArrayEquals(new double[] {1, 1, 1}, m.std(), 0.0);
        assertEquals(2, m.numClasses());
    }

    @Test
    void binaryCrossEntropyGivesMllibsBinaryLayoutAndWeightsMatter(SparkSession spark) {
        Dataset<Row> df = Blobs.frame(spark, 200, 2, 3, 2);
        SparkGradEstimator e = new SparkGradEstimator().setLoss("bce_with_logits").setMaxIter(30).setStepSize(0.1);
        SparkGradModel m = e.fit(df);
        assertEquals(2, m.numClasses());
        Row r = m.transform(df).first();
        Vector raw = r.getAs("rawPrediction");
        Vector p = r.getAs("probability");
        assertEquals(-raw.apply(0), raw.apply(1), 0.0);
        assertEquals(1 / (1 + Math.exp(-raw.apply(1))), p.apply(1), 1e-12);
        assertEquals(raw.apply(1) > 0 ? 1.0 : 0.0, r.<Double>getAs("prediction"), 0.0);
        SparkGradModel weighted = e.copy(ParamMap.empty()).setWeightCol("w").fit(df);
        assertFalse(Arrays.equals(m.weights(), weighted.weights()), "the weight column changes the fit");
    }

    @Test
    void regressionAddsPredictionOnlyAndFitsALine(SparkSession spark) {
        Dataset<Row> df = Blobs.linear(spark, 400, 5);
        SparkGradModel m = new SparkGradEstimator().setLoss("mse").setMaxIter(80).setStepSize(0.1).setTol(0).fit(df);
        assertEquals(0, m.numClasses());
        Dataset<Row> out = m.transform(df);
        assertEquals(List.of("features", "label", "prediction"), Arrays.asList(out.columns()));
        double sse = 0;
        for (Row r : out.collectAsList()) {
            double d = r.<Double>getAs("prediction") - r.<Double>getAs("label");
            sse += d * d;
        }
        assertTrue(Math.sqrt(sse / 400) < 0.2, "rmse " + Math.sqrt(sse / 400));
        assertEquals(2 * 1 - 0.1 * 10 + 0.5, m.predict(org.apache.spark.ml.linalg.Vectors.dense(1, 10)), 0.1);
    }

    @Test
    void tolStopsEarlyAndLabelsOutsideTheModelAreRefused(SparkSession spark) {
        Dataset<Row> df = Blobs.frame(spark, 200, 2, 4, 2);
        SparkGradEstimator e = new SparkGradEstimator().setMaxIter(60).setStepSize(0.05);
        SparkGradModel stopped = e.copy(ParamMap.empty()).setTol(1e-2).fit(df);
        int epochs = stopped.totalIterations();
        assertTrue(epochs >= 2 && epochs < 60, "stopped after " + epochs + " epochs");
        double[] h = stopped.objectiveHistory();
        double last = h[epochs - 1];
        double before = h[epochs - 2];
        assertTrue(Math.abs(before - last) <= 1e-2 * Math.max(1, last), before + " -> " + last);
        // the run stopped is the run of that many epochs: same parameters, bit for bit
        SparkGradModel same = e.copy(ParamMap.empty()).setTol(0).setMaxIter(epochs).fit(df);
        assertArrayEquals(same.weights(), stopped.weights());
        assertEquals(epochs, same.totalIterations());
        Dataset<Row> three = Blobs.frame(spark, 30, 3, 4, 1);
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class,
                () -> e.copy(ParamMap.empty()).setModel("mlp:4,2").setMaxIter(1).fit(three));
        assertTrue(x.getMessage().contains("has 2 outputs but label column 'label' has classes up to 2"), x.getMessage());
    }
}
