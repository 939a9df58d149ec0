package io.sparkgrad.examples.sparkml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.ml.SparkGradEstimator;
import io.sparkgrad.ml.SparkGradModel;
import io.sparkgrad.spark.testing.LocalSpark;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.tuning.CrossValidator;
import org.apache.spark.ml.tuning.CrossValidatorModel;
import org.apache.spark.ml.tuning.ParamGridBuilder;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SparkGrad in a Spark ML Pipeline on the bundled breast cancer data, as a user writes it:
 * VectorAssembler, StandardScaler, SparkGrad; evaluated with MLlib's evaluators, tuned with
 * CrossValidator, and compared with MLlib's LogisticRegression in the same pipeline.
 */
@LocalSpark(master = "local[2]", conf = "spark.kryo.registrationRequired=false")
class BreastCancerPipelineTest {
    /**
     * SparkGrad's and MLlib's test accuracy may differ by at most this: 2 of the 95 test rows
     * (measured: SparkGrad 0.9895, MLlib 0.9789, one row apart; AUC 0.9995 both).
     */
    static final double ACCURACY_TOLERANCE = 0.022;
    static Dataset<Row> train;
    static Dataset<Row> test;

    @BeforeAll
    static void split(SparkSession spark) {
        Dataset<Row>[] parts = BundledFrames.split(BundledFrames.breastCancer(spark));
        train = parts[0];
        test = parts[1];
    }

    @AfterAll
    static void drop() {
        train.unpersist();
        test.unpersist();
    }

    static Pipeline pipeline(PipelineStage classifier) {
        return BundledFrames.pipeline(train, classifier);
    }

    static double accuracy(Dataset<Row> predictions) {
        return BundledFrames.accuracy(predictions);
    }

    @Test
    void pipelineFitsAndMatchesMllibLogisticRegression() {
        // MLlib's binomial objective: one logit, L2 0.01 on the weights and not the intercept
        SparkGradEstimator sg = new SparkGradEstimator().setModel("logreg").setLoss("bce_with_logits")
                .setRegParam(0.01).setMaxIter(40).setStepSize(0.1).setSeed(1);
        PipelineModel model = pipeline(sg).fit(train);
        Dataset<Row> out = model.transform(test);
        double acc = accuracy(out);
        double auc = new BinaryClassificationEvaluator().evaluate(out);

        PipelineModel mllib = pipeline(new LogisticRegression().setRegParam(0.01).setMaxIter(100)).fit(train);
        Dataset<Row> mllibOut = mllib.transform(test);
        double mllibAcc = accuracy(mllibOut);
        double mllibAuc = new BinaryClassificationEvaluator().evaluate(mllibOut);
        System.out.printf("breast cancer, %d test rows: SparkGrad accuracy %.4f AUC %.4f; MLlib LR accuracy %.4f"
                + " AUC %.4f%n", test.count(), acc, auc, mllibAcc, mllibAuc);
        assertTrue(acc >= 0.95, "accuracy " + acc);
        assertTrue(auc >= 0.98, "AUC " + auc);
        assertEquals(mllibAcc, acc, ACCURACY_TOLERANCE);
        assertEquals(mllibAuc, auc, 0.01);
        SparkGradModel m = assertInstanceOf(SparkGradModel.class, model.stages()[2]);
        assertEquals(30, m.numFeatures());
        assertEquals(2, m.numClasses());
        assertEquals(40, m.totalIterations());
    }

    /**
     * With {@code optimizer = lbfgs} the estimator solves MLlib's own problem with MLlib's method
     * (full-batch L-BFGS, same L2, same tolerance), so the two pipelines give the same
     * probabilities on every test row, within 1e-5 (measured 1.1e-6: the model computes in float64,
     * its parameters are float32 against MLlib's doubles; 4.1e-5 when it computed in float32).
     */
    @Test
    void lbfgsInThePipelineGivesMllibsProbabilities() {
        SparkGradEstimator sg = new SparkGradEstimator().setModel("logreg").setLoss("bce_with_logits")
                .setOptimizer("lbfgs").setRegParam(0.01).setMaxIter(50).setTol(1e-6);
        PipelineModel fitted = pipeline(sg).fit(train);
        Dataset<Row> ours = fitted.transform(test).select("probability").cache();
        Dataset<Row> theirs = pipeline(new LogisticRegression().setRegParam(0.01).setMaxIter(50).setTol(1e-6))
                .fit(train).transform(test).select("probability");
        java.util.List<Row> a = ours.collectAsList();
        java.util.List<Row> b = theirs.collectAsList();
        assertEquals(b.size(), a.size());
        double maxDiff = 0;
        for (int i = 0; i < a.size(); i++) {
            double p = ((org.apache.spark.ml.linalg.Vector) a.get(i).get(0)).apply(1);
            double q = ((org.apache.spark.ml.linalg.Vector) b.get(i).get(0)).apply(1);
            maxDiff = Math.max(maxDiff, Math.abs(p - q));
        }
        System.out.printf("breast cancer, lbfgs estimator vs MLlib LR: max |P(benign)| difference %.3e over %d rows%n",
                maxDiff, a.size());
        assertTrue(maxDiff < 1e-5, "max probability difference " + maxDiff);
        SparkGradModel m = assertInstanceOf(SparkGradModel.class, fitted.stages()[2]);
        assertTrue(m.totalIterations() >= 5 && m.totalIterations() <= 50, "L-BFGS iterations " + m.totalIterations());
        assertEquals(io.sparkgrad.DType.FLOAT64, m.spec().dtype(), "L-BFGS computes in double, as MLlib");
        ours.unpersist();
    }

    @Test
    void lbfgsRefusesAMiniBatch() {
        SparkGradEstimator sg = new SparkGradEstimator().setOptimizer("lbfgs").setBatchSize(32).setMaxIter(2);
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> sg.fit(new org.apache.spark.ml.feature.VectorAssembler().setInputCols(BundledFrames.featureColumns(train))
                        .setOutputCol("features").transform(train)));
        assertEquals("SparkGradEstimator: optimizer lbfgs is full-batch; batchSize must be 0, got 32", e.getMessage());
    }

    @Test
    void crossValidatorPicksStepSizeAndModelSpec() {
        SparkGradEstimator sg = new SparkGradEstimator().setMaxIter(15).setSeed(2);
        ParamMap[] grid = new ParamGridBuilder()
                .addGrid(sg.stepSize(), new double[] {0.001, 0.1})
                .addGrid(sg.model(), scala.jdk.javaapi.CollectionConverters.asScala(
                        java.util.List.of("logreg", "mlp:16,2")))
                .build();
        CrossValidator cv = new CrossValidator().setEstimator(pipeline(sg)).setEstimatorParamMaps(grid)
                .setEvaluator(new BinaryClassificationEvaluator()).setNumFolds(2).setSeed(7);
        CrossValidatorModel cvm = cv.fit(train);
        double[] metrics = cvm.avgMetrics();
        assertEquals(4, metrics.length);
        int best = 0;
        for (int i = 0; i < metrics.length; i++) {
            System.out.printf("CV breast cancer: stepSize %s, model %s -> AUC %.4f%n", grid[i].apply(sg.stepSize()),
                    grid[i].apply(sg.model()), metrics[i]);
            assertTrue(metrics[i] > 0.8 && metrics[i] <= 1, "AUC " + metrics[i]);
            best = metrics[i] > metrics[best] ? i : best;
        }
        SparkGradModel chosen = assertInstanceOf(SparkGradModel.class,
                ((PipelineModel) cvm.bestModel()).stages()[2]);
        assertEquals(grid[best].apply(sg.stepSize()), chosen.getStepSize());
        assertEquals(grid[best].apply(sg.model()), chosen.getModel());
        assertEquals(0.1, chosen.getStepSize(), "a step size of 0.001 is too small for 15 epochs");
        double auc = new BinaryClassificationEvaluator().evaluate(cvm.transform(test));
        assertTrue(auc > 0.98, "test AUC of the chosen model " + auc);
    }
}
