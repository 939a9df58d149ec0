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
        // 70% of 1797 rows train (10% validate after every epoch, 20% test): 10 steps of 128 per epoch
        assertTrue(out.contains("step 1/300 | epoch 1 | loss "), out.lines().limit(3).toList().toString());
        assertTrue(out.lines().anyMatch(l -> l.matches("step \\d+/300 .*samples/s.*eta \\d+:\\d\\d:\\d\\d")));
        // a line every 10 s at most, not one per step: the first step, the last epoch, the summary, the rest
        assertTrue(out.lines().count() < 40, out);
        assertTrue(out.lines().anyMatch(l -> l.matches("epoch 30/30 \\| train loss [0-9.]+ \\| train accuracy [0-9.]+ "
                + "\\| validation loss [0-9.]+ \\| validation accuracy [0-9.]+")), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("done: 300 steps, 30 epochs in \\d+:\\d\\d:\\d\\d \\| train loss .*")), out);
        assertTrue(Files.size(tmp.resolve("loss.png")) > 1000);
        assertEquals(301, Files.readAllLines(tmp.resolve("metrics.csv")).size());
        assertEquals(300, new CheckpointStore(tmp.resolve("model").toString()).latest().orElseThrow().step());
    }

    /**
     * --log-every 4 on 3 epochs of digits (10 steps each): a step line at every 4th step and at the
     * first and last, every epoch's line after its last step, then the summary; metrics.csv still
     * has every step.
     */
    @Test
    void logEveryNPrintsEveryNthStepAndEveryEpoch(@TempDir Path tmp) throws Exception {
        String out = run(0, "--epochs", "3", "--log-every", "4", "--output", tmp.toString());
        java.util.List<String> progress = out.lines().filter(l -> l.matches("(step|epoch|done:) .*"))
                .map(l -> l.replaceAll("^(step \\d+/\\d+ \\| epoch \\d+|epoch \\d+/\\d+|done: \\d+ steps).*", "$1")).toList();
        assertEquals(java.util.List.of("step 1/30 | epoch 1", "step 4/30 | epoch 1", "step 8/30 | epoch 1", "epoch 1/3",
                "step 12/30 | epoch 2", "step 16/30 | epoch 2", "step 20/30 | epoch 2", "epoch 2/3",
                "step 24/30 | epoch 3", "step 28/30 | epoch 3", "step 30/30 | epoch 3", "epoch 3/3", "done: 30 steps"),
                progress, out);
        assertTrue(out.lines().anyMatch(l -> l.matches("step 28/30 \\| epoch 3 \\| loss [0-9.]+ \\| \\d+ samples/s \\| lr .* \\| eta \\d+:\\d\\d:\\d\\d")),
                out);
        assertEquals(31, Files.readAllLines(tmp.resolve("metrics.csv")).size());
    }

    /** --early-stopping-rounds: a high learning rate overfits digits; the run stops and keeps the best epoch. */
    @Test
    void earlyStoppingStopsAfterTheRoundsWithoutImprovementAndSaysWhichEpochWasBest(@TempDir Path tmp) throws Exception {
        String out = run(0, "--epochs", "40", "--lr", "0.05", "--early-stopping-rounds", "2", "--log-every", "1000",
                "--output", tmp.toString());
        String line = out.lines().filter(l -> l.startsWith("early stopping:")).findFirst().orElseThrow(() -> new AssertionError(out));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                "early stopping: best validation loss [0-9.]+ after epoch (\\d+) \\(step (\\d+)\\), stopped after epoch (\\d+); .*")
                .matcher(line);
        assertTrue(m.matches(), line);
        int best = Integer.parseInt(m.group(1));
        int stopped = Integer.parseInt(m.group(3));
        assertEquals(best + 2, stopped, line);
        assertEquals(best * 10L, Long.parseLong(m.group(2)), "10 steps per epoch: " + line);
        assertTrue(stopped < 40, line);
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

    @Test
    void trainsFromParquetWithAWeightColumn(@TempDir Path tmp) throws Exception {
        org.apache.spark.sql.SparkSession spark = Train.session("train-test");
        java.util.List<org.apache.spark.sql.Row> rows = new java.util.ArrayList<>();
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        for (int i = 0; i < 400; i++) {
            double a = r.nextGaussian();
            double b = r.nextGaussian();
            rows.add(org.apache.spark.sql.RowFactory.create(org.apache.spark.ml.linalg.Vectors.dense(a, b),
                    a + b > 0 ? 1.0 : 0.0, i % 2 == 0 ? 1.0 : 2.0));
        }
        org.apache.spark.sql.types.StructType schema = new org.apache.spark.sql.types.StructType()
                .add("x", new org.apache.spark.ml.linalg.VectorUDT())
                .add("y", org.apache.spark.sql.types.DataTypes.DoubleType)
                .add("w", org.apache.spark.sql.types.DataTypes.DoubleType);
        String path = tmp.resolve("t.parquet").toUri().toString();
        spark.createDataFrame(rows, schema).write().parquet(path);
        String out = run(0, "--data", path, "--format", "parquet", "--features-col", "x", "--label-col", "y",
                "--weight-col", "w", "--model", "logreg", "--loss", "bce", "--epochs", "20", "--batch-size", "0",
                "--lr", "0.1", "--validation-fraction", "0", "--output", tmp.resolve("o").toString()); // the 80/20 split
        String last = out.lines().filter(l -> l.startsWith("trained on")).findFirst().orElseThrow();
        double acc = Double.parseDouble(last.replaceAll(".*test accuracy ([0-9.]+) on.*", "$1"));
        assertTrue(acc >= 0.95, last); // a linearly separable rule
        assertTrue(out.contains(path), out.lines().findFirst().orElse(""));
    }
}
