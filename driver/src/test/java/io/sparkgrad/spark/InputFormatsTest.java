package io.sparkgrad.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.spark.testing.LocalSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every input path gives the same rows: Dataset (Vector or array column), Parquet, CSV, LIBSVM. */
@LocalSpark(master = "local[2]")
class InputFormatsTest {
    static final float[][] X = {{1, 0, 2.5f}, {0, -1, 0}, {3, 4, 0.5f}};
    static final float[] Y = {1, 0, 2};
    static final float[] W = {0.5f, 2, 1};

    static List<Sample> collect(TrainingData d) {
        List<Sample> out = new ArrayList<>();
        for (DataBlock b : d.blocks().collect()) {
            for (int r = 0; r < b.rows(); r++) {
                float[] x = java.util.Arrays.copyOfRange(b.features(), r * b.dim(), (r + 1) * b.dim());
                out.add(new Sample(x, b.labels()[r], (float) b.weight(r)));
            }
        }
        out.sort(Comparator.comparingDouble(Sample::label));
        return out;
    }

    static void assertRows(List<Sample> rows, boolean weighted) {
        assertEquals(3, rows.size());
        for (int i = 0; i < 3; i++) {
            int k = (int) rows.get(i).label();
            assertArrayEquals(X[k == 1 ? 0 : k == 0 ? 1 : 2], rows.get(i).features());
            assertEquals(weighted ? W[k == 1 ? 0 : k == 0 ? 1 : 2] : 1f, rows.get(i).weight());
        }
    }

    private static Dataset<Row> vectors(SparkSession spark) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            double[] d = new double[3];
            for (int j = 0; j < 3; j++) {
                d[j] = X[i][j];
            }
            rows.add(RowFactory.create(Vectors.dense(d), (double) Y[i], (double) W[i]));
        }
        StructType schema = new StructType().add("features", new org.apache.spark.ml.linalg.VectorUDT())
                .add("label", DataTypes.DoubleType).add("weight", DataTypes.DoubleType);
        return spark.createDataFrame(rows, schema);
    }

    @Test
    void datasetWithVectorColumnAndWeights(SparkSession spark) {
        assertRows(collect(TrainingData.fromDataset(vectors(spark), "features", "label", "weight")), true);
        assertRows(collect(TrainingData.fromDataset(vectors(spark), "features", "label", null)), false);
        BadDataException e = assertThrows(BadDataException.class,
                () -> TrainingData.fromDataset(vectors(spark), "features", "target", null));
        assertTrue(e.getMessage().contains("column 'target' is not in the data set"), e.getMessage());
    }

    @Test
    void datasetWithArrayColumn(SparkSession spark) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            List<Float> xs = new ArrayList<>();
            for (float v : X[i]) {
                xs.add(v);
            }
            rows.add(RowFactory.create(xs.toArray(new Float[0]), (int) Y[i]));
        }
        StructType schema = new StructType().add("x", DataTypes.createArrayType(DataTypes.FloatType))
                .add("y", DataTypes.IntegerType);
        assertRows(collect(TrainingData.fromDataset(spark.createDataFrame(rows, schema), "x", "y", null)), false);
    }

    @Test
    void parquetWrittenBySpark(SparkSession spark, @TempDir Path tmp) {
        String path = tmp.resolve("t.parquet").toUri().toString();
        vectors(spark).write().parquet(path);
        DataLoader.Loaded l = DataLoader.load(spark, path, DataLoader.Format.PARQUET,
                DataLoader.Options.defaults().withWeightCol("weight"), 2);
        assertEquals(3, l.dim());
        assertRows(collect(l.pack()), true);
    }

    @Test
    void csvAndLibsvmFiles(SparkSession spark, @TempDir Path tmp) throws Exception {
        Path csv = tmp.resolve("t.csv");
        Files.writeString(csv, "a,b,c,label\n1,0,2.5,1\n0,-1,0,0\n\n3,4,0.5,2\n");
        DataLoader.Loaded c = DataLoader.load(spark, csv.toUri().toString(), DataLoader.Format.CSV,
                DataLoader.Options.defaults().withHeader(true), 1);
        assertRows(collect(c.pack()), false);
        Path svm = tmp.resolve("t.svm");
        Files.writeString(svm, "1 1:1 3:2.5\n0 2:-1\n2 1:3 2:4 3:0.5\n");
        DataLoader.Loaded s = DataLoader.load(spark, svm.toUri().toString(), DataLoader.Format.LIBSVM,
                DataLoader.Options.defaults(), 1);
        assertEquals(3, s.dim());
        assertRows(collect(s.pack()), false);
    }

    @Test
    void malformedLinesNameFileLineAndField(SparkSession spark, @TempDir Path tmp) throws Exception {
        Path svm = tmp.resolve("bad.svm");
        Files.writeString(svm, "1 1:1 3:2.5\n0 3:1 2:-1\n");
        assertMessage(spark, svm, DataLoader.Format.LIBSVM, "bad.svm:2: field 3 index 2 is not ascending (1-based)");
        Path nan = tmp.resolve("nan.csv");
        Files.writeString(nan, "1,0,2.5,1\n0,NaN,0,0\n");
        assertMessage(spark, nan, DataLoader.Format.CSV, "nan.csv:2: field 2 'NaN' is not finite");
        Path ragged = tmp.resolve("ragged.csv");
        Files.writeString(ragged, "1,0,2.5,1\n0,1,0\n");
        assertMessage(spark, ragged, DataLoader.Format.CSV, "ragged.csv:2: 3 fields, expected 4 (3 features and a label)");
        Path empty = tmp.resolve("empty.csv");
        Files.writeString(empty, "");
        BadDataException e = assertThrows(BadDataException.class, () -> DataLoader.load(spark, empty.toUri().toString(),
                DataLoader.Format.CSV, DataLoader.Options.defaults(), 1));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    private static void assertMessage(SparkSession spark, Path file, DataLoader.Format f, String expected) {
        BadDataException e = assertThrows(BadDataException.class, () -> {
            try {
                DataLoader.load(spark, file.toUri().toString(), f, DataLoader.Options.defaults(), 1).samples().count();
            } catch (Exception ex) {
                throw BadDataException.unwrap(ex);
            }
        });
        assertTrue(e.getMessage().endsWith(expected), e.getMessage());
    }
}
