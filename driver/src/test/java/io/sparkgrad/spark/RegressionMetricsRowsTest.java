package io.sparkgrad.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.spark.testing.LocalSpark;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** The {@code of(JavaRDD<double[]>)} path (rows of prediction, label, weight), as the evaluate command uses it.
 * MSE, RMSE, MAE and R² against hand-computed values, weighted and unweighted, in one pass and merged. */
@LocalSpark(master = "local[2]")
class RegressionMetricsRowsTest {
    @Test
    void handComputedValues() {
        // p = 1, 2, 3; y = 1, 3, 5: errors 0, -1, -2; ybar 3, SST 8, SSE 5
        RegressionMetrics m = new RegressionMetrics().add(1, 1, 1).add(2, 3, 1).add(3, 5, 1);
        assertEquals(3, m.count());
        assertEquals(5.0 / 3, m.mse(), 1e-15);
        assertEquals(Math.sqrt(5.0 / 3), m.rmse(), 1e-15);
        assertEquals(1.0, m.mae(), 1e-15);
        assertEquals(1 - 5.0 / 8, m.r2(), 1e-15);
        // weight 2 on the last row is the row twice
        RegressionMetrics w = new RegressionMetrics().add(1, 1, 1).add(2, 3, 1).add(3, 5, 2);
        RegressionMetrics twice = new RegressionMetrics().add(1, 1, 1).add(2, 3, 1).add(3, 5, 1).add(3, 5, 1);
        assertEquals(twice.mse(), w.mse(), 1e-15);
        assertEquals(twice.mae(), w.mae(), 1e-15);
        assertEquals(twice.r2(), w.r2(), 1e-15);
        assertEquals(9.0 / 4, w.mse(), 1e-15);
        assertTrue(Double.isNaN(new RegressionMetrics().add(1, 2, 1).add(3, 2, 1).r2()), "constant labels: R2 undefined");
    }

    @Test
    void anRddGivesTheSameAsOnePassInOrder(SparkSession spark) {
        List<double[]> rows = new java.util.ArrayList<>();
        RegressionMetrics local = new RegressionMetrics();
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        for (int i = 0; i < 200; i++) {
            double y = r.nextDouble(-10, 10);
            double p = y + r.nextGaussian();
            rows.add(new double[] {p, y});
            local.add(p, y, 1);
        }
        RegressionMetrics d = RegressionMetrics.of(JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, 4));
        assertEquals(200, d.count());
        assertEquals(local.mse(), d.mse(), 1e-12);
        assertEquals(local.mae(), d.mae(), 1e-12);
        assertEquals(local.r2(), d.r2(), 1e-12);
        assertTrue(d.r2() > 0.9 && d.r2() < 1, "y + N(0,1) noise on a range of 20: " + d.r2());
    }
}
