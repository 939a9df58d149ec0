package io.sparkgrad.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.ml.SparkGradModel;
import io.sparkgrad.spark.DataLoader;
import io.sparkgrad.spark.Sample;
import io.sparkgrad.spark.checkpoint.CheckpointStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The round trip a user makes: {@code train} on the first 450 breast cancer rows, {@code predict}
 * on the 119 rows it never saw, {@code evaluate} on its own test split; and the error cases.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PredictEvaluateTest {
    @TempDir
    static Path tmp;

    Path trainCsv;
    Path out;
    /** The rows train never saw: features only (no header), and with the label (a header). */
    Path newRows;
    Path newLabelled;
    List<String> newLines;
    String trainOutput;

    static CliRun run(String... args) {
        return CliRun.of(args);
    }

    static void oneErrorLine(CliRun r, String expected) {
        assertEquals(2, r.exit(), r.out() + r.err());
        List<String> lines = r.err().strip().lines().toList();
        assertEquals(1, lines.size(), r.err());
        assertTrue(lines.get(0).startsWith("error: ") && lines.get(0).contains(expected), r.err());
    }

    @BeforeAll
    void train() throws Exception {
        System.setProperty("spark.ui.enabled", "false");
        List<String> all = Train.bundled(BreastCancer.RESOURCE); // a header, then 569 rows of 30 features and the label
        trainCsv = tmp.resolve("train.csv");
        Files.write(trainCsv, all.subList(0, 451));
        List<String> rest = all.subList(451, all.size());
        newLabelled = tmp.resolve("new-labelled.csv");
        List<String> withHeader = new ArrayList<>(List.of(all.get(0)));
        withHeader.addAll(rest);
        Files.write(newLabelled, withHeader);
        newLines = rest.stream().map(l -> l.substring(0, l.lastIndexOf(','))).toList();
        newRows = tmp.resolve("new.csv");
        Files.write(newRows, newLines);
        out = tmp.resolve("run");
        CliRun r = run("train", "--data", trainCsv.toUri().toString(), "--header", "--model", "logreg", "--loss", "bce",
                "--epochs", "3", "--batch-size", "64", "--lr", "0.05", "--partitions", "1", "--log-every", "1000",
                "--output", out.toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        trainOutput = r.out();
    }

    private static SparkSession spark() {
        return Cli.session("predict-test");
    }

    private static List<String[]> csv(Path p) throws Exception {
        return Files.readAllLines(p).stream().map(l -> l.split(",", -1)).toList();
    }

    @Test
    void trainWritesALoadableModelWithItsStandardisationBesideTheCheckpoint() throws Exception {
        SparkGradModel m = SparkGradModel.load(out.resolve("model").toString(), new Configuration());
        assertEquals(30, m.numFeatures());
        assertEquals(2, m.numClasses());
        assertEquals("logreg", m.spec().text());
        assertTrue(new CheckpointStore(out.resolve("model").toString()).latest().isPresent());
        // the standardisation is the training split's: its first feature's mean and sample std
        List<Sample> train = Splits.of(DataLoader.load(spark(), trainCsv.toUri().toString(), DataLoader.Format.CSV,
                DataLoader.Options.defaults().withHeader(true), 1), 0.1, 0.2, 42)[0].samples().collect(); // train's defaults
        double sum = 0;
        double sq = 0;
        for (Sample s : train) {
            sum += s.features()[0];
        }
        double mean = sum / train.size();
        for (Sample s : train) {
            sq += (s.features()[0] - mean) * (s.features()[0] - mean);
        }
        assertEquals(mean, m.mean()[0], 1e-9 * Math.abs(mean));
        assertEquals(Math.sqrt(sq / (train.size() - 1)), m.std()[0], 1e-9);
        assertTrue(m.std()[0] > 1, "the mean radius varies by several units: " + m.std()[0]);
    }

    @Test
    void predictWritesOneLinePerNewRowInOrderEqualToTheModelsTransform() throws Exception {
        Path preds = tmp.resolve("preds.csv");
        CliRun r = run("predict", "--model-path", out.toString(), "--data", newRows.toUri().toString(), "--output", preds.toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        List<String[]> lines = csv(preds);
        assertArrayEquals(new String[] {"prediction", "probability_0", "probability_1"}, lines.get(0));
        assertEquals(newLines.size() + 1, lines.size());

        SparkGradModel m = SparkGradModel.load(out.resolve("model").toString(), new Configuration());
        List<Row> rows = new ArrayList<>();
        for (String l : newLines) {
            rows.add(RowFactory.create(Vectors.dense(Arrays.stream(l.split(",")).mapToDouble(s -> (double) Float.parseFloat(s)).toArray())));
        }
        List<Row> expected = m.transform(spark().createDataFrame(rows, new StructType().add("features", SQLDataTypes.VectorType())))
                .select("prediction", "probability").collectAsList();
        List<String> labels = Files.readAllLines(newLabelled).subList(1, newLines.size() + 1);
        int correct = 0;
        for (int i = 0; i < expected.size(); i++) {
            String[] got = lines.get(i + 1);
            assertEquals((int) expected.get(i).getDouble(0), Integer.parseInt(got[0]), "row " + i);
            double[] p = expected.get(i).<Vector>getAs(1).toArray();
            assertEquals(p[0], Double.parseDouble(got[1]), 0.0, "row " + i);
            assertEquals(p[1], Double.parseDouble(got[2]), 0.0, "row " + i);
            if (got[0].equals(labels.get(i).substring(labels.get(i).lastIndexOf(',') + 1))) {
                correct++;
            }
        }
        assertTrue(correct >= 0.9 * expected.size(), correct + " of " + expected.size() + " unseen rows right");

        // the same rows with a header and their label (one field more): the same predictions
        Path preds2 = tmp.resolve("preds2.csv");
        CliRun r2 = run("predict", "--model-path", out.resolve("model").toString(), "--data", newLabelled.toUri().toString(),
                "--header", "--output", preds2.toString());
        assertEquals(0, r2.exit(), r2.out() + r2.err());
        assertEquals(Files.readAllLines(preds), Files.readAllLines(preds2));
    }

    @Test
    void parquetOutputIsReadableInTheSameOrder() throws Exception {
        Path csvOut = tmp.resolve("p.csv");
        Path pq = tmp.resolve("p.parquet");
        assertEquals(0, run("predict", "--model-path", out.toString(), "--data", newRows.toUri().toString(),
                "--output", csvOut.toString()).exit());
        CliRun r = run("predict", "--model-path", out.toString(), "--data", newRows.toUri().toString(),
                "--output", pq.toUri().toString(), "--output-format", "parquet");
        assertEquals(0, r.exit(), r.out() + r.err());
        List<Row> back = spark().read().parquet(pq.toUri().toString()).collectAsList();
        List<String[]> lines = csv(csvOut);
        assertEquals(lines.size() - 1, back.size());
        assertEquals(List.of("prediction", "probability_0", "probability_1"),
                Arrays.asList(spark().read().parquet(pq.toUri().toString()).columns()));
        for (int i = 0; i < back.size(); i++) {
            assertEquals(Integer.parseInt(lines.get(i + 1)[0]), back.get(i).getInt(0), "row " + i);
            assertEquals(Double.parseDouble(lines.get(i + 1)[2]), back.get(i).getDouble(2), 0.0, "row " + i);
        }
    }

    @Test
    void parquetInputWithoutALabelColumnGivesTheSamePredictionsAsItsCsv() throws Exception {
        List<Row> rows = new ArrayList<>();
        for (String l : newLines) {
            rows.add(RowFactory.create(Vectors.dense(Arrays.stream(l.split(",")).mapToDouble(s -> (double) Float.parseFloat(s)).toArray())));
        }
        Path in = tmp.resolve("new.parquet");
        spark().createDataFrame(rows, new StructType().add("x", SQLDataTypes.VectorType())).coalesce(1).write()
                .parquet(in.toUri().toString());
        Path fromCsv = tmp.resolve("from-csv.csv");
        Path fromParquet = tmp.resolve("from-parquet.csv");
        assertEquals(0, run("predict", "--model-path", out.toString(), "--data", newRows.toUri().toString(),
                "--output", fromCsv.toString()).exit());
        CliRun r = run("predict", "--model-path", out.toString(), "--data", in.toUri().toString(), "--format", "parquet",
                "--features-col", "x", "--output", fromParquet.toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        assertEquals(Files.readAllLines(fromCsv), Files.readAllLines(fromParquet));
        oneErrorLine(run("evaluate", "--model-path", out.toString(), "--data", in.toUri().toString(), "--format", "parquet",
                "--features-col", "x"), ": no label column 'label'");
    }

    @Test
    void evaluateOnTheTestSplitPrintsTheAccuracyTrainPrinted() throws Exception {
        // train's test split: the same file, reader, fractions and seed
        List<Sample> test = DataLoader.load(spark(), trainCsv.toUri().toString(), DataLoader.Format.CSV,
                DataLoader.Options.defaults().withHeader(true), 1).split(new double[] {0.8, 0.2}, 42)[1].samples().collect();
        List<String> lines = new ArrayList<>();
        for (Sample s : test) {
            StringBuilder b = new StringBuilder();
            for (float v : s.features()) {
                b.append(v).append(',');
            }
            lines.add(b.append((int) s.label()).toString());
        }
        Path testCsv = tmp.resolve("test.csv");
        Files.write(testCsv, lines);
        CliRun r = run("evaluate", "--model-path", out.toString(), "--data", testCsv.toUri().toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        String trained = trainOutput.lines().filter(l -> l.startsWith("trained on")).findFirst().orElseThrow();
        String acc = trained.replaceAll(".*test accuracy ([0-9.]+) on (\\d+) rows.*", "$1 on $2 rows");
        assertTrue(r.out().contains("accuracy " + acc), trained + "\nvs\n" + r.out());
        double trainLoss = Double.parseDouble(trained.replaceAll(".*test loss ([0-9.]+);.*", "$1"));
        double evalLoss = Double.parseDouble(r.out().replaceAll("(?s).*: loss ([0-9.]+);.*", "$1"));
        assertEquals(trainLoss, evalLoss, 1e-4);
        assertTrue(Double.parseDouble(acc.split(" ")[0]) > 0.85, trained);
    }

    @Test
    void errorsAreOneLineAndExitCode2() throws Exception {
        String data = newRows.toUri().toString();
        oneErrorLine(run("predict", "--model-path", tmp.resolve("nothing").toString(), "--data", data,
                "--output", tmp.resolve("e1.csv").toString()), "--model-path " + tmp.resolve("nothing") + ": no such file");
        oneErrorLine(run("evaluate", "--model-path", trainCsv.getParent().resolve("run").resolve("model").resolve("metadata").toString(),
                "--data", data), "holds no saved model");

        // a damaged model: its parameters truncated
        Path damaged = tmp.resolve("damaged");
        copy(out.resolve("model"), damaged);
        Path params = damaged.resolve("parameters.sgck");
        byte[] b = Files.readAllBytes(params);
        Files.deleteIfExists(damaged.resolve(".parameters.sgck.crc"));
        Files.write(params, Arrays.copyOf(b, b.length / 2));
        oneErrorLine(run("predict", "--model-path", damaged.toString(), "--data", data, "--output", tmp.resolve("e2.csv").toString()),
                "--model-path " + damaged + ": cannot load the model");

        // 29 fields: neither 30 features nor 30 and a label
        Path narrow = tmp.resolve("narrow.csv");
        Files.write(narrow, newLines.stream().map(l -> l.substring(0, l.lastIndexOf(','))).toList());
        oneErrorLine(run("predict", "--model-path", out.toString(), "--data", narrow.toUri().toString(),
                "--output", tmp.resolve("e3.csv").toString()),
                narrow.toUri() + ": rows have 29 fields; the model takes 30 features (30 fields without a label, or 31 with one)");
        // evaluate needs the label
        oneErrorLine(run("evaluate", "--model-path", out.toString(), "--data", data),
                ": rows have 30 fields; the model takes 30 features (31 fields with the label)");

        // an existing --output is refused unless --overwrite
        Path existing = tmp.resolve("existing.csv");
        Files.writeString(existing, "old\n");
        oneErrorLine(run("predict", "--model-path", out.toString(), "--data", data, "--output", existing.toString()),
                "--output " + existing + " already exists; pass --overwrite");
        assertEquals("old\n", Files.readString(existing));
        CliRun ok = run("predict", "--model-path", out.toString(), "--data", data, "--output", existing.toString(), "--overwrite");
        assertEquals(0, ok.exit(), ok.err());
        assertEquals(newLines.size() + 1, Files.readAllLines(existing).size());

        oneErrorLine(run("predict", "--model-path", out.toString(), "--data", data, "--output", tmp.resolve("e4").toString(),
                "--output-format", "json"), "--output-format 'json': expected csv or parquet");
    }

    private static void copy(Path from, Path to) throws Exception {
        try (var s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Files.copy(p, to.resolve(from.relativize(p).toString()));
            }
        }
    }
}
