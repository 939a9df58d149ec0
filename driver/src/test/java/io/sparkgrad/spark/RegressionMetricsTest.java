package io.sparkgrad.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.spark.testing.LocalSpark;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

@LocalSpark(master = "local[2]")
class RegressionMetricsTest {

    @Test
    void mseRmseMaeAndR2OfAHandComputedExample() {
        // targets 1, 2, 3, 6 (mean 3, sum of squares about it 14); predictions 1.5, 2, 2, 7
        RegressionMetrics m = RegressionMetrics.empty().add(1.5, 1, 1).add(2, 2, 1).add(2, 3, 1).add(7, 6, 1);
        assertEquals(2.25 / 4, m.mse(), 1e-15); // 0.25 + 0 + 1 + 1
        assertEquals(Math.sqrt(2.25 / 4), m.rmse(), 1e-15);
        assertEquals(2.5 / 4, m.mae(), 1e-15);
        assertEquals(1 - 2.25 / 14, m.r2(), 1e-15);
        assertEquals(4, m.count());
        // a weight of 2 counts a row twice
        RegressionMetrics w = RegressionMetrics.empty().add(1.5, 1, 2).add(2, 3, 1);
        RegressionMetrics twice = RegressionMetrics.empty().add(1.5, 1, 1).add(1.5, 1, 1).add(2, 3, 1);
        assertEquals(twice.mse(), w.mse(), 1e-15);
        assertEquals(twice.r2(), w.r2(), 1e-15);
        assertTrue(Double.isNaN(RegressionMetrics.empty().add(1, 2, 1).add(3, 2, 1).r2()), "constant targets: no R²");
        // R² is not symmetric: the targets' spread is its denominator
        RegressionMetrics swapped = RegressionMetrics.empty().add(1, 1.5, 1).add(2, 2, 1).add(3, 2, 1).add(6, 7, 1);
        assertEquals(m.mse(), swapped.mse(), 1e-15);
        assertEquals(1 - 2.25 / 20.1875, swapped.r2(), 1e-12); // 1.5, 2, 2, 7 as targets: mean 3.125, SST 20.1875
    }

    @Test
    void standardisedSumsAreReportedInTheTargetsUnits() {
        TargetScale s = new TargetScale(20, 4);
        RegressionMetrics raw = RegressionMetrics.empty();
        RegressionMetrics scaled = RegressionMetrics.empty();
        double[][] yp = {{12, 14}, {20, 19}, {31, 27}, {25, 26}};
        for (double[] r : yp) {
            raw.add(r[1], r[0], 1);
            scaled.add((r[1] - 20) / 4, (r[0] - 20) / 4, 1);
        }
        RegressionMetrics back = scaled.inUnitsOf(s);
        assertEquals(raw.mse(), back.mse(), 1e-12);
        assertEquals(raw.mae(), back.mae(), 1e-12);
        assertEquals(raw.r2(), back.r2(), 1e-12);
        assertEquals(raw.meanTarget(), back.meanTarget(), 1e-12);
        assertEquals(22, back.meanTarget(), 1e-12);
        TargetScale fitted = TargetScale.fromSums(4, 12 + 20 + 31 + 25, 144 + 400 + 961 + 625);
        assertEquals(22, fitted.mean(), 1e-12);
        assertEquals(Math.sqrt((100 + 4 + 81 + 9) / 4.0), fitted.std(), 1e-12);
        assertEquals(1, TargetScale.fromSums(2, 10, 50).std(), 0, "a constant target is centred only");
        assertThrows(IllegalArgumentException.class, () -> new TargetScale(0, 0));
    }

    @Test
    void oneDistributedPassOverBlocksMatchesTheLocalSums(SparkSession spark) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<Sample> rows = new ArrayList<>();
        RegressionMetrics local = RegressionMetrics.empty();
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        for (int i = 0; i < 300; i++) {
            float x = (float) r.nextGaussian();
            float y = (float) (3 * x + r.nextGaussian());
            rows.add(new Sample(new float[] {x}, y, 1f));
            local.add(3 * x, y, 1);
        }
        TrainingData data = TrainingData.fromSamples(sc.parallelize(rows, 3), 1, 64, "test", false);
        JavaRDD<float[]> predictions = data.blocks().map(b -> {
            float[] p = new float[b.rows];
            for (int i = 0; i < b.rows; i++) {
                p[i] = 3 * b.features[i];
            }
            return p;
        });
        RegressionMetrics m = RegressionMetrics.of(data, predictions);
        assertEquals(300, m.count());
        assertEquals(local.mse(), m.mse(), 1e-9);
        assertEquals(local.r2(), m.r2(), 1e-9);
        assertTrue(m.r2() > 0.85, m.toString());
        RegressionMetrics rows3 = RegressionMetrics.of(data.blocks().flatMap(b -> {
            List<double[]> out = new ArrayList<>();
            for (int i = 0; i < b.rows; i++) {
                out.add(new double[] {3 * b.features[i], b.labels[i]});
            }
            return out.iterator();
        }));
        assertEquals(m.mse(), rows3.mse(), 1e-9);

        // the evaluator computes the same in its pass, and gives no accuracy for a regression
        TrainingData scaled = TrainingData.fromSamples(sc.parallelize(rows, 3), 1, 64, "test", false);
        Evaluator.Metrics e = Evaluator.evaluate(sc, scaled, ModelSpec.parse("logreg", 1, 1, 3), LossKind.MSE,
                new float[] {3f, 0f}, 32);
        assertEquals(local.mse(), e.regression().mse(), 1e-6);
        assertTrue(Double.isNaN(e.accuracy()), "no accuracy for mse: " + e.accuracy());
        Evaluator.Metrics c = Evaluator.evaluate(sc, TrainingData.fromSamples(sc.parallelize(List.of(
                new Sample(new float[] {1}, 1, 1f)), 1), 1, 64, "c", false), ModelSpec.parse("logreg", 1, 1, 3),
                LossKind.BCE_WITH_LOGITS, new float[] {3f, 0f}, 32);
        assertNull(c.regression());
        assertEquals(1.0, c.accuracy());
    }
}
