package io.sparkgrad.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparkgrad.spark.testing.LocalSpark;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model saved by this JVM is loaded by a fresh JVM (no Spark there: {@link SparkGradModel#load(
 * String, org.apache.hadoop.conf.Configuration)}), which prints the raw bits of its predictions for
 * fixed rows; they equal this JVM's, bit for bit.
 */
@LocalSpark(master = "local[2]")
class OtherJvmTest {
    @TempDir
    Path tmp;

    /** The fixed rows both JVMs score. */
    static List<Vector> rows() {
        Random r = new Random(5);
        List<Vector> v = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            v.add(Vectors.dense(8 * r.nextGaussian(), 6 * r.nextGaussian(), 200 * r.nextGaussian()));
        }
        return v;
    }

    /** Raw bits of rawPrediction and prediction of every fixed row, one line. */
    static String bits(SparkGradModel m) {
        StringBuilder sb = new StringBuilder();
        for (Vector v : rows()) {
            for (double d : m.predictRaw(v).toArray()) {
                sb.append(Long.toHexString(Double.doubleToRawLongBits(d))).append(' ');
            }
            sb.append(Long.toHexString(Double.doubleToRawLongBits(m.predict(v)))).append(';');
        }
        return sb.toString();
    }

    /** The other JVM: loads args[0] and prints {@link #bits}. */
    public static void main(String[] args) {
        System.out.println("BITS " + bits(SparkGradModel.load(args[0], new org.apache.hadoop.conf.Configuration())));
    }

    @Test
    void aModelSavedHereGivesTheSameBitsInAnotherJvm(SparkSession spark) throws Exception {
        SparkGradModel m = new SparkGradEstimator().setModel("mlp:7,3").setMaxIter(4).setStepSize(0.05)
                .fit(Blobs.frame(spark, 90, 3, 31, 2));
        String path = tmp.resolve("m").toUri().toString();
        m.save(path);
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"), OtherJvmTest.class.getName(),
                path).redirectErrorStream(true).redirectOutput(tmp.resolve("out.txt").toFile()).start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the other JVM did not finish in 300 s");
        }
        String out = java.nio.file.Files.readString(tmp.resolve("out.txt"), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        String line = out.lines().filter(l -> l.startsWith("BITS ")).findFirst().orElse("(none)\n" + out);
        assertEquals("BITS " + bits(m), line);
        assertEquals("BITS " + bits(SparkGradModel.load(path)), line);
    }
}
