package io.sparkgrad.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.spark.testing.LocalSpark;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

@LocalSpark(master = "local[2]")
class BreastCancerLogRegTest {

    @Test
    void logisticRegressionReachesAtLeast95PercentTestAccuracy(SparkSession spark) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        BreastCancerLogReg.Outcome o = BreastCancerLogReg.run(spark, new PrintStream(buf, true, StandardCharsets.UTF_8));
        String out = buf.toString(StandardCharsets.UTF_8);
        System.out.print(out);
        assertEquals(569, o.trainRows() + o.testRows(), out);
        assertTrue(o.testRows() > 80 && o.testRows() < 150, "an 80/20 split: " + o.testRows());
        assertTrue(o.testAccuracy() >= 0.95, out);
        assertTrue(out.contains("step 1/160 | epoch 1 | loss "), out);
        assertTrue(out.contains("test accuracy "), out);
    }
}
