package io.sparkgrad.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.ml.SparkGradModel;
import io.sparkgrad.spark.LoopbackHdfs;
import io.sparkgrad.spark.metrics.MetricsRow;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train}, {@code predict} and {@code evaluate} through the real command line on a real HDFS
 * (a loopback MiniDFSCluster in this JVM, full {@code hdfs://127.0.0.1:PORT/...} URIs): the data,
 * the run's output and the predictions all live on HDFS, and every figure equals the one the same
 * commands give with the same bytes on {@code file://}.
 *
 * <p>The run is trained on HDFS (the first 450 bundled breast cancer rows written there) and its
 * directory copied to the local disk, so the HDFS and local predictions come from one model.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PredictHdfsTest {
    @TempDir
    static Path tmp;

    LoopbackHdfs hdfs;
    FileSystem fs;
    /** hdfs://127.0.0.1:PORT */
    String root;
    /** The run train wrote on HDFS, and its copy on the local disk. */
    String hdfsRun;
    Path localRun;
    /** The 119 rows train never saw: features only, and with a header and the label; on HDFS and locally. */
    String hdfsNew;
    String hdfsNewLabelled;
    Path localNew;
    Path localNewLabelled;
    List<String> newLines;
    List<String> labels;
    Path localTrain;

    @BeforeAll
    void trainOnHdfs() throws Exception {
        System.setProperty("spark.ui.enabled", "false");
        hdfs = LoopbackHdfs.start(tmp.resolve("dfs"));
        fs = hdfs.fileSystem();
        root = hdfs.root();
        assertTrue(root.matches("hdfs://127\\.0\\.0\\.1:\\d+"), root);

        List<String> all = Train.bundled(BreastCancer.RESOURCE); // a header, then 569 rows of 30 features and the label
        List<String> train = all.subList(0, 451);
        List<String> rest = all.subList(451, all.size());
        newLines = rest.stream().map(l -> l.substring(0, l.lastIndexOf(','))).toList();
        labels = rest.stream().map(l -> l.substring(l.lastIndexOf(',') + 1)).toList();
        List<String> labelled = new ArrayList<>(List.of(all.get(0)));
        labelled.addAll(rest);

        localTrain = write(tmp.resolve("train.csv"), train);
        localNew = write(tmp.resolve("new.csv"), newLines);
        localNewLabelled = write(tmp.resolve("new-labelled.csv"), labelled);
        String hdfsTrain = put("/data/train.csv", train);
        hdfsNew = put("/data/new.csv", newLines);
        hdfsNewLabelled = put("/data/new-labelled.csv", labelled);

        hdfsRun = root + "/runs/bc";
        CliRun r = CliRun.of(trainArgs(hdfsTrain, hdfsRun));
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("written to " + hdfsRun), r.out());

        localRun = tmp.resolve("run-copy");
        fs.copyToLocalFile(false, new org.apache.hadoop.fs.Path("/runs/bc"),
                new org.apache.hadoop.fs.Path(localRun.toUri()), true);
        assertTrue(Files.isRegularFile(localRun.resolve("model").resolve("parameters.sgck")), "the copy of the run");
    }

    @AfterAll
    void stopHdfs() {
        if (hdfs != null) {
            hdfs.close();
        }
    }

    private static String[] trainArgs(String data, String output) {
        return new String[] {"train", "--data", data, "--header", "--model", "logreg", "--loss", "bce", "--epochs", "3",
            "--batch-size", "64", "--lr", "0.05", "--partitions", "1", "--log-every", "1000", "--output", output};
    }

    private static Path write(Path p, List<String> lines) throws IOException {
        return Files.write(p, lines);
    }

    /** Writes {@code lines} to {@code path} on HDFS, as Files.write does locally; returns its full hdfs:// URI. */
    private String put(String path, List<String> lines) throws IOException {
        try (OutputStream os = fs.create(new org.apache.hadoop.fs.Path(path), false)) {
            for (String l : lines) {
                os.write((l + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        return root + path;
    }

    private byte[] bytes(String hdfsPath) throws IOException {
        try (InputStream in = fs.open(new org.apache.hadoop.fs.Path(hdfsPath))) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            in.transferTo(b);
            return b.toByteArray();
        }
    }

    private static List<String> lines(byte[] b) {
        return new String(b, StandardCharsets.UTF_8).lines().toList();
    }

    private static SparkSession spark() {
        return Cli.session("predict-hdfs-test");
    }

    /** predict of the local copy of the run on the local rows, to a new local file; its bytes. */
    private byte[] localCsvPredictions(String name) throws IOException {
        Path out = tmp.resolve(name);
        CliRun r = CliRun.of("predict", "--model-path", localRun.toUri().toString(), "--data", localNew.toUri().toString(),
                "--output", out.toUri().toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        return Files.readAllBytes(out);
    }

    @Test
    void trainOnHdfsWritesTheSameRunAsOnTheLocalDisk() throws Exception {
        for (String p : new String[] {"/runs/bc/model/metadata", "/runs/bc/model/parameters.sgck", "/runs/bc/metrics.csv",
                                      "/runs/bc/loss.png"}) {
            assertTrue(fs.exists(new org.apache.hadoop.fs.Path(p)), p + " on HDFS");
        }
        byte[] png = bytes("/runs/bc/loss.png");
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4));
        List<String> metrics = lines(bytes("/runs/bc/metrics.csv"));
        assertEquals(MetricsRow.HEADER, metrics.get(0));
        assertTrue(metrics.size() > 3, "a header and a line per logged step: " + metrics);

        // the same command with the same bytes on file:// trains the same model
        Path local = tmp.resolve("run-local");
        CliRun r = CliRun.of(trainArgs(localTrain.toUri().toString(), local.toString()));
        assertEquals(0, r.exit(), r.out() + r.err());
        SparkGradModel onHdfs = SparkGradModel.load(hdfsRun + "/model", new Configuration());
        SparkGradModel onDisk = SparkGradModel.load(local.resolve("model").toString(), new Configuration());
        assertEquals(30, onHdfs.numFeatures());
        assertEquals(2, onHdfs.numClasses());
        assertTrue(onHdfs.std()[0] > 1, "the training rows' standardisation: " + onHdfs.std()[0]);
        assertArrayEquals(onDisk.weights(), onHdfs.weights());
        assertArrayEquals(onDisk.mean(), onHdfs.mean());
        assertArrayEquals(onDisk.std(), onHdfs.std());
        // and logs the same steps, losses and gradient norms (all but the timing, samples_per_sec)
        List<String> localMetrics = Files.readAllLines(local.resolve("metrics.csv"));
        assertEquals(localMetrics.size(), metrics.size());
        for (int i = 1; i < metrics.size(); i++) {
            List<String> h = new ArrayList<>(Arrays.asList(metrics.get(i).split(",", -1)));
            List<String> d = new ArrayList<>(Arrays.asList(localMetrics.get(i).split(",", -1)));
            h.remove(3);
            d.remove(3);
            assertEquals(d, h, "metrics line " + i);
        }
    }

    @Test
    void csvPredictionsWrittenToHdfsAreTheBytesWrittenLocally() throws Exception {
        byte[] expected = localCsvPredictions("local-preds.csv");
        List<String> expectedLines = lines(expected);
        assertEquals(List.of("prediction", "probability_0", "probability_1"), Arrays.asList(expectedLines.get(0).split(",")));
        assertEquals(newLines.size() + 1, expectedLines.size());
        int correct = 0;
        for (int i = 0; i < labels.size(); i++) {
            if (expectedLines.get(i + 1).split(",")[0].equals(labels.get(i))) {
                correct++;
            }
        }
        assertTrue(correct >= 0.9 * labels.size(), correct + " of " + labels.size() + " unseen rows right");

        // the run's directory, data and output on HDFS
        String out = root + "/preds/preds.csv";
        CliRun r = CliRun.of("predict", "--model-path", hdfsRun, "--data", hdfsNew, "--output", out);
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("predicted " + newLines.size() + " rows of " + hdfsNew), r.out());
        assertTrue(r.out().contains("written to " + out + " (csv)"), r.out());
        FileStatus st = fs.getFileStatus(new org.apache.hadoop.fs.Path("/preds/preds.csv"));
        assertTrue(st.isFile(), "one file, not a directory");
        byte[] got = bytes("/preds/preds.csv");
        assertEquals(expectedLines, lines(got));
        assertArrayEquals(expected, got);

        // the model/ directory itself, and the labelled rows with their header: the same bytes
        String out2 = root + "/preds/preds-labelled.csv";
        CliRun r2 = CliRun.of("predict", "--model-path", hdfsRun + "/model", "--data", hdfsNewLabelled, "--header",
                "--output", out2);
        assertEquals(0, r2.exit(), r2.out() + r2.err());
        assertArrayEquals(expected, bytes("/preds/preds-labelled.csv"));
    }

    @Test
    void parquetPredictionsWrittenToHdfsAreTheRowsWrittenLocally() throws Exception {
        String local = tmp.resolve("local-preds.parquet").toUri().toString();
        CliRun l = CliRun.of("predict", "--model-path", localRun.toString(), "--data", localNew.toUri().toString(),
                "--output", local, "--output-format", "parquet");
        assertEquals(0, l.exit(), l.out() + l.err());
        String out = root + "/preds/preds.parquet";
        CliRun r = CliRun.of("predict", "--model-path", hdfsRun, "--data", hdfsNew, "--output", out, "--output-format", "parquet");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("written to " + out + " (parquet)"), r.out());

        FileStatus[] parts = fs.globStatus(new org.apache.hadoop.fs.Path("/preds/preds.parquet/part-*.parquet"));
        assertEquals(1, parts.length, "one part file");
        assertTrue(fs.exists(new org.apache.hadoop.fs.Path("/preds/preds.parquet/_SUCCESS")));

        List<Row> expected = spark().read().parquet(local).collectAsList();
        var back = spark().read().parquet(out);
        assertEquals(List.of("prediction", "probability_0", "probability_1"), Arrays.asList(back.columns()));
        List<Row> got = back.collectAsList();
        assertEquals(newLines.size(), expected.size());
        assertEquals(expected.size(), got.size());
        List<String> csv = lines(localCsvPredictions("local-preds-for-parquet.csv"));
        for (int i = 0; i < got.size(); i++) {
            assertEquals(expected.get(i).getInt(0), got.get(i).getInt(0), "row " + i);
            for (int k = 1; k <= 2; k++) {
                assertEquals(Double.doubleToRawLongBits(expected.get(i).getDouble(k)),
                        Double.doubleToRawLongBits(got.get(i).getDouble(k)), "row " + i + " column " + k);
            }
            // and the CSV's line i, in input order
            String[] f = csv.get(i + 1).split(",");
            assertEquals(Integer.parseInt(f[0]), got.get(i).getInt(0), "row " + i);
            assertEquals(Double.parseDouble(f[1]), got.get(i).getDouble(1), 0.0, "row " + i);
            assertEquals(Double.parseDouble(f[2]), got.get(i).getDouble(2), 0.0, "row " + i);
        }
    }

    @Test
    void anExistingHdfsOutputIsRefusedUnlessOverwrite() throws Exception {
        String existing = put("/preds/existing.csv", List.of("old"));
        CliRun refused = CliRun.of("predict", "--model-path", hdfsRun, "--data", hdfsNew, "--output", existing);
        assertEquals(2, refused.exit(), refused.out() + refused.err());
        assertEquals("error: --output " + existing + " already exists; pass --overwrite to replace it, or choose another path",
                refused.err().strip());
        assertArrayEquals("old\n".getBytes(StandardCharsets.UTF_8), bytes("/preds/existing.csv"));

        CliRun ok = CliRun.of("predict", "--model-path", hdfsRun, "--data", hdfsNew, "--output", existing, "--overwrite");
        assertEquals(0, ok.exit(), ok.out() + ok.err());
        assertArrayEquals(localCsvPredictions("local-preds-overwrite.csv"), bytes("/preds/existing.csv"));

        String missing = root + "/runs/none";
        CliRun none = CliRun.of("predict", "--model-path", missing, "--data", hdfsNew, "--output", root + "/preds/none.csv");
        assertEquals(2, none.exit(), none.out() + none.err());
        assertEquals("error: --model-path " + missing + ": no such file or directory", none.err().strip());
        assertTrue(!fs.exists(new org.apache.hadoop.fs.Path("/preds/none.csv")));
    }

    @Test
    void evaluateAnHdfsModelOnHdfsDataPrintsWhatItPrintsLocally() throws Exception {
        CliRun l = CliRun.of("evaluate", "--model-path", localRun.toString(), "--data", localNewLabelled.toUri().toString(),
                "--header");
        assertEquals(0, l.exit(), l.out() + l.err());
        CliRun h = CliRun.of("evaluate", "--model-path", hdfsRun, "--data", hdfsNewLabelled, "--header");
        assertEquals(0, h.exit(), h.out() + h.err());
        assertTrue(h.out().startsWith("logreg on " + hdfsNewLabelled + ": loss "), h.out());
        assertEquals(l.out().replace(localNewLabelled.toUri().toString(), hdfsNewLabelled), h.out());

        // its accuracy is the share of right predictions in predict's output for the same rows
        String acc = h.out().replaceAll("(?s).*; accuracy ([0-9.]+) on (\\d+) rows.*", "$1 $2");
        String[] a = acc.split(" ");
        assertEquals(String.valueOf(labels.size()), a[1], h.out());
        List<String> preds = lines(localCsvPredictions("local-preds-for-evaluate.csv"));
        int correct = 0;
        for (int i = 0; i < labels.size(); i++) {
            if (preds.get(i + 1).split(",")[0].equals(labels.get(i))) {
                correct++;
            }
        }
        assertEquals((double) correct / labels.size(), Double.parseDouble(a[0]), 0.5e-4, h.out());
        assertTrue(Double.parseDouble(a[0]) > 0.9, h.out());
    }
}
