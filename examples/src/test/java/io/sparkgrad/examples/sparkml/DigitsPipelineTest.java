package io.sparkgrad.examples.sparkml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.ml.SparkGradEstimator;
import io.sparkgrad.ml.SparkGradModel;
import io.sparkgrad.spark.testing.LocalSpark;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.linalg.Vector;
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
 * SparkGrad in a Spark ML Pipeline on the bundled digits (10 classes): VectorAssembler,
 * StandardScaler, SparkGrad; MLlib's MulticlassClassificationEvaluator, a CrossValidator over the
 * step size and the model spec, and MLlib's multinomial LogisticRegression in the same place.
 */
@LocalSpark(master = "local[2]", conf = "spark.kryo.registrationRequired=false")
class DigitsPipelineTest {
    /**
     * SparkGrad's and MLlib's test accuracy may differ by at most this, 3 percentage points (about
     * 11 of the ~360 test rows), on the same objective (softmax, L2 0.01 on the weights).
     */
    static final double ACCURACY_TOLERANCE = 0.03;
    static Dataset<Row> train;
    static Dataset<Row> test;

    @BeforeAll
    static void split(SparkSession spark) {
        Dataset<Row>[] parts = BundledFrames.split(BundledFrames.digits(spark));
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
    void pipelineFitsTenClassesAndMatchesMllibLogisticRegression() {
        SparkGradEstimator sg = new SparkGradEstimator().setModel("logreg").setRegParam(0.01).setMaxIter(40)
                .setStepSize(0.1).setSeed(1);
        PipelineModel model = pipeline(sg).fit(train);
        Dataset<Row> out = model.transform(test);
        double acc = accuracy(out);
        double mllibAcc = accuracy(pipeline(new LogisticRegression().setRegParam(0.01).setMaxIter(100))
                .fit(train).transform(test));
        System.out.printf("digits, %d test rows: SparkGrad accuracy %.4f; MLlib LR accuracy %.4f%n", test.count(), acc,
                mllibAcc);
        assertTrue(acc >= 0.93, "accuracy " + acc);
        assertEquals(mllibAcc, acc, ACCURACY_TOLERANCE);
        SparkGradModel m = assertInstanceOf(SparkGradModel.class, model.stages()[2]);
        assertEquals(64, m.numFeatures());
        assertEquals(10, m.numClasses());
        List<Row> rows = out.select("probability", "prediction").limit(5).collectAsList();
        for (Row r : rows) {
            Vector p = r.getAs(0);
            assertEquals(10, p.size());
            assertEquals(p.argmax(), (int) r.getDouble(1));
        }
    }

    @Test
    void crossValidatorWithTheMulticlassEvaluator() {
        SparkGradEstimator sg = new SparkGradEstimator().setMaxIter(10).setSeed(2);
        ParamMap[] grid = new ParamGridBuilder()
                .addGrid(sg.stepSize(), new double[] {0.0005, 0.1})
                .addGrid(sg.model(), scala.jdk.javaapi.CollectionConverters.asScala(List.of("logreg", "mlp:32,10")))
                .build();
        CrossValidator cv = new CrossValidator().setEstimator(pipeline(sg)).setEstimatorParamMaps(grid)
                .setEvaluator(new MulticlassClassificationEvaluator().setMetricName("accuracy")).setNumFolds(2)
                .setSeed(7);
        CrossValidatorModel cvm = cv.fit(train);
        double[] metrics = cvm.avgMetrics();
        assertEquals(4, metrics.length);
        int best = 0;
        for (int i = 0; i < metrics.length; i++) {
            System.out.printf("CV digits: stepSize %s, model %s -> accuracy %.4f%n", grid[i].apply(sg.stepSize()),
                    grid[i].apply(sg.model()), metrics[i]);
            assertTrue(metrics[i] > 0.1 && metrics[i] <= 1, "accuracy " + metrics[i]);
            best = metrics[i] > metrics[best] ? i : best;
        }
        SparkGradModel chosen = assertInstanceOf(SparkGradModel.class, ((PipelineModel) cvm.bestModel()).stages()[2]);
        assertEquals(grid[best].apply(sg.model()), chosen.getModel());
        assertEquals(0.1, chosen.getStepSize(), "10 epochs at 0.0005 is far from trained");
        double acc = accuracy(cvm.transform(test));
        assertTrue(acc > 0.9, "test accuracy of the chosen model " + acc);
    }
}
