package io.sparkgrad.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.spark.checkpoint.CheckpointStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The default job, as {@code ./spark-submit.sh} runs it with no arguments, and its error paths. */
class TrainTest {

    private static String run(int expectedExit, String... args) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc = Train.run(new PrintStream(buf, true, StandardCharsets.UTF_8), args);
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(expectedExit, rc, out);
        return out;
    }

    @Test
    void theDefaultJobReachesAtLeast95PercentTestAccuracyOnDigits(@TempDir Path tmp) throws Exception {
        String out = run(0, "--output", tmp.toString());
        String last = out.lines().filter(l -> l.startsWith("trained on")).findFirst().orElseThrow();
        double acc = Double.parseDouble(last.replaceAll(".*test accuracy ([0-9.]+) on.*", "$1"));
        assertTrue(acc >= 0.95, last);
        assertTrue(out.contains("step 1/360 | epoch 1 | loss "), out.lines().limit(3).toList().toString());
        assertTrue(out.lines().anyMatch(l -> l.matches("step \\d+/360 .*samples/s.*eta \\d+:\\d\\d:\\d\\d")));
        assertTrue(Files.size(tmp.resolve("loss.png")) > 1000);
        assertEquals(361, Files.readAllLines(tmp.resolve("metrics.csv")).size());
        assertEquals(360, new CheckpointStore(tmp.resolve("model").toString()).latest().orElseThrow().step());
    }

    @Test
    void aMalformedCsvLineIsReportedWithFileLineAndField(@TempDir Path tmp) throws Exception {
        Path csv = tmp.resolve("bad.csv");
        Files.writeString(csv, "1,2,0\n3,4,1\n5,x,0\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldErr = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            run(2, "--data", csv.toUri().toString(), "--model", "logreg", "--epochs", "1", "--output", tmp.resolve("o").toString());
        } finally {
            System.setErr(oldErr);
        }
        String msg = err.toString(StandardCharsets.UTF_8);
        assertTrue(msg.contains("bad.csv:3: field 2 'x' is not a number"), msg);
    }
}
