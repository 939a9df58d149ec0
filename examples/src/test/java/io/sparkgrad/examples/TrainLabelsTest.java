package io.sparkgrad.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Labels are checked where they are read (issue 9, defect 5): without {@code --classes} the class
 * count is inferred from the distinct labels, and labels that are not 0..K-1 are refused, naming
 * the labels found; a label out of range for the loss names its file and line.
 */
class TrainLabelsTest {
    @TempDir
    Path tmp;

    static CliRun run(String... args) {
        return CliRun.of(args);
    }

    /** 60 rows of 3 features; row {@code strayAt} (1-based) has label {@code stray}, else i mod classes. */
    private Path csv(int classes, int strayAt, String stray) throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 1; i <= 60; i++) {
            lines.add(String.format(Locale.ROOT, "%.2f,%.2f,%.2f,%s", i * 0.1, (i % 7) * 0.3, (i % 5) * -0.2,
                    i == strayAt ? stray : Integer.toString(i % classes)));
        }
        return Files.write(tmp.resolve("d" + classes + "-" + strayAt + ".csv"), lines);
    }

    private CliRun train(Path data, String... more) {
        List<String> a = new ArrayList<>(List.of("--data", data.toString(), "--epochs", "1", "--partitions", "2",
                "--output", tmp.resolve("run-" + System.nanoTime()).toString()));
        a.addAll(List.of(more));
        return run(a.toArray(String[]::new));
    }

    @Test
    void aStrayLabelWithoutClassesIsRefusedNamingTheLabelsFound() throws Exception {
        CliRun r = train(csv(3, 21, "7"));
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals("error: " + tmp.resolve("d3-21.csv") + ": the labels found are {0, 1, 2, 7}, not the classes 0..7"
                + " each with rows; fix the stray labels, or pass --classes 8 if some classes have no rows", r.err().strip());
    }

    @Test
    void theClassesAreInferredFromTheLabels() throws Exception {
        CliRun r = train(csv(3, -1, ""), "--model", "logreg");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("3 classes, from the labels 0..2 (--classes to set)"), r.out());
    }

    @Test
    void aLabelOutOfRangeOfClassesNamesItsFileAndLine() throws Exception {
        CliRun r = train(csv(3, 21, "7"), "--classes", "3");
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals("error: file:" + tmp.resolve("d3-21.csv") + ":21: label '7' is not a class index in [0, 3)",
                r.err().strip());
    }

    @Test
    void aNegativeOrFractionalLabelNamesItsFileAndLine() throws Exception {
        CliRun neg = train(csv(3, 33, "-1"));
        assertEquals(2, neg.exit(), neg.out() + neg.err());
        assertEquals("error: file:" + tmp.resolve("d3-33.csv") + ":33: label '-1' is not a class index (0, 1, 2, ...)",
                neg.err().strip());
        CliRun frac = train(csv(3, 34, "1.5"));
        assertEquals(2, frac.exit(), frac.out() + frac.err());
        assertEquals("error: file:" + tmp.resolve("d3-34.csv") + ":34: label '1.5' is not a class index (0, 1, 2, ...)",
                frac.err().strip());
    }

    @Test
    void binaryCrossEntropyNeedsZeroOrOneAndNamesTheLine() throws Exception {
        CliRun r = train(csv(2, 40, "2"), "--loss", "bce", "--model", "logreg");
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals("error: file:" + tmp.resolve("d2-40.csv") + ":40: label '2' is not 0 or 1 (binary cross-entropy)",
                r.err().strip());
    }

    /** A Parquet label out of range names the part file and its row, not a partition. */
    @Test
    void aBadParquetLabelNamesTheFileAndRow() throws Exception {
        org.apache.spark.sql.SparkSession spark = Train.session("train-labels-test");
        List<org.apache.spark.sql.Row> rows = new ArrayList<>();
        for (int i = 1; i <= 40; i++) {
            rows.add(org.apache.spark.sql.RowFactory.create(new double[] {i * 0.1, -i * 0.2}, i == 17 ? 2.0 : i % 2));
        }
        org.apache.spark.sql.types.StructType schema = new org.apache.spark.sql.types.StructType()
                .add("features", org.apache.spark.sql.types.DataTypes.createArrayType(org.apache.spark.sql.types.DataTypes.DoubleType))
                .add("label", org.apache.spark.sql.types.DataTypes.DoubleType);
        Path dir = tmp.resolve("bad.parquet");
        spark.createDataFrame(rows, schema).coalesce(1).write().parquet(dir.toString());
        CliRun r = train(dir, "--format", "parquet", "--loss", "bce", "--model", "logreg");
        assertEquals(2, r.exit(), r.out() + r.err());
        String err = r.err().strip();
        assertTrue(err.matches("error: file:" + java.util.regex.Pattern.quote(dir.toString()) + "/part-[^:]+\\.parquet: row 17: "
                + "label '2.0' is not 0 or 1 \\(binary cross-entropy\\)"), err);
    }
}
