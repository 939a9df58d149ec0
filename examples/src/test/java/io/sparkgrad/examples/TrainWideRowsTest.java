package io.sparkgrad.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.spark.TrainingData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rows are dense, so a row has at most {@link TrainingData#MAX_FEATURES} (524,287) features: a
 * LIBSVM index, a CSV row or a Parquet features column beyond it is one {@code error:} line naming
 * the file (and line) and the limit, exit code 2, instead of an allocation of that width per row
 * (an {@code OutOfMemoryError} for {@code 2147483647:1}). A row at the limit still trains.
 */
class TrainWideRowsTest {
    static final int MAX = TrainingData.MAX_FEATURES;

    @TempDir
    static Path tmp;

    private static CliRun train(String data, String... more) {
        List<String> a = new java.util.ArrayList<>(List.of("--data", data, "--model", "logreg", "--loss", "bce",
                "--epochs", "1", "--batch-size", "0", "--partitions", "1", "--validation-fraction", "0",
                "--test-fraction", "0", "--output", tmp.resolve("run-" + System.nanoTime()).toString()));
        a.addAll(List.of(more));
        return CliRun.of(a.toArray(new String[0]));
    }

    /** Exit code 2, {@code expected} as the only line on stderr, and no training started. */
    private static void refused(CliRun r, String expected) {
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals(expected, r.err().strip(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(!r.out().contains("step "), r.out());
    }

    @Test
    void theLimitIsWhatABlockOfDenseRowsCanHold() {
        assertEquals(524_287, MAX);
        assertTrue((long) TrainingData.BLOCK_ROWS * MAX <= Integer.MAX_VALUE - 8);
        assertTrue((long) TrainingData.BLOCK_ROWS * (MAX + 1) > Integer.MAX_VALUE - 8);
    }

    @Test
    void aLibsvmIndexBeyondTheLimitIsOneErrorLineNamingFileLineAndIndex() throws Exception {
        for (long index : new long[] {Integer.MAX_VALUE, MAX + 1}) {
            Path p = Files.write(tmp.resolve("huge-" + index + ".libsvm"), List.of("1 1:0.5 2:1", "0 1:0.1",
                    "0 " + index + ":1", "1 2:2"));
            refused(train(p.toString(), "--format", "libsvm"), "error: file:" + p + ":3: feature index " + index
                    + " exceeds the limit of " + MAX + " features (dense rows)");
        }
    }

    @Test
    void aCsvRowBeyondTheLimitIsOneErrorLine() throws Exception {
        String row = "0," + "0,".repeat(MAX) + "1"; // MAX + 1 features and the label
        Path p = Files.write(tmp.resolve("wide.csv"), List.of(row, row));
        refused(train(p.toString()), "error: file:" + p + ":1: " + (MAX + 1) + " features exceed the limit of " + MAX
                + " features (dense rows)");
    }

    @Test
    void aParquetFeaturesColumnBeyondTheLimitIsOneErrorLine() {
        SparkSession spark = Cli.session("wide-rows-test");
        Float[] wide = new Float[MAX + 1];
        java.util.Arrays.fill(wide, 0.5f);
        String path = tmp.resolve("wide.parquet").toUri().toString();
        spark.createDataFrame(List.of(RowFactory.create(wide, 1.0), RowFactory.create(wide, 0.0)),
                new StructType().add("features", DataTypes.createArrayType(DataTypes.FloatType)).add("label", DataTypes.DoubleType))
                .coalesce(1).write().parquet(path);
        refused(train(path, "--format", "parquet"), "error: " + path + ": the features column 'features' holds "
                + (MAX + 1) + " values, more than the limit of " + MAX + " features (dense rows)");
    }

    @Test
    void aLibsvmRowAtTheLimitTrains() throws Exception {
        Path p = Files.write(tmp.resolve("at-limit.libsvm"), List.of("1 1:0.5 " + MAX + ":1", "0 1:-0.5", "1 2:1",
                "0 2:-1 " + MAX + ":-1"));
        CliRun r = train(p.toString(), "--format", "libsvm");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains(", " + MAX + " features, model logreg"), r.out());
        assertTrue(r.out().contains("done: 1 steps, 1 epochs"), r.out());
    }
}
