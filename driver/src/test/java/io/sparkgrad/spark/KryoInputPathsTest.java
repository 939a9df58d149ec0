package io.sparkgrad.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparkgrad.spark.testing.LocalSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every input path, read as the CLI reads it, under the production Kryo settings
 * ({@code spark.kryo.registrationRequired=true}, SparkGrad's registrator): CSV, LIBSVM and Parquet
 * files (features as an ml Vector, an array of float and an array of double) and an in-memory
 * Dataset. Each is loaded, split, repartitioned (a shuffle of the samples), packed, cached and
 * collected, so every object Spark serializes on the way goes through Kryo.
 */
@LocalSpark(master = "local[2]")
class KryoInputPathsTest {
    static final float[][] X = {{1, 0, 2.5f}, {0, -1, 0}, {3, 4, 0.5f}, {-2, 1.5f, 7}};
    static final float[] Y = {1, 0, 2, 3};

    @BeforeAll
    static void productionKryoSettings(SparkSession spark) {
        assertEquals("org.apache.spark.serializer.KryoSerializer", spark.conf().get("spark.serializer"));
        assertEquals("true", spark.conf().get("spark.kryo.registrationRequired"));
        assertEquals(SparkGradKryoRegistrator.class.getName(), spark.conf().get("spark.kryo.registrator"));
        KryoCheck.verify();
    }

    /** As Train: split, repartition (a shuffle), pack, cache; the rows sorted by label. */
    private static List<Sample> asTrainReadsIt(DataLoader.Loaded all) {
        DataLoader.Loaded[] split = all.split(new double[] {1, 0}, 42);
        TrainingData d = split[0].repartition(3).pack().cache();
        assertEquals(4, d.validate(LossKind.SOFTMAX_CROSS_ENTROPY, 4));
        List<Sample> out = new ArrayList<>();
        for (DataBlock b : d.blocks().collect()) {
            for (int r = 0; r < b.rows(); r++) {
                out.add(new Sample(java.util.Arrays.copyOfRange(b.features(), r * b.dim(), (r + 1) * b.dim()), b.labels()[r]));
            }
        }
        d.unpersist();
        out.sort(Comparator.comparingDouble(Sample::label));
        return out;
    }

    private static void assertRows(List<Sample> rows) {
        assertEquals(X.length, rows.size());
        for (Sample s : rows) { // labels are distinct: each names its row of X
            int i = indexOfLabel(s.label());
            assertArrayEquals(X[i], s.features(), "row with label " + Y[i]);
        }
        assertEquals(List.of(0f, 1f, 2f, 3f), rows.stream().map(Sample::label).toList());
    }

    private static int indexOfLabel(float label) {
        for (int i = 0; i < Y.length; i++) {
            if (Y[i] == label) {
                return i;
            }
        }
        throw new AssertionError("unexpected label " + label);
    }

    private static Dataset<Row> frame(SparkSession spark, DataType featureType) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < X.length; i++) {
            Object f;
            if (featureType instanceof VectorUDT) {
                double[] d = new double[X[i].length];
                for (int j = 0; j < d.length; j++) {
                    d[j] = X[i][j];
                }
                f = Vectors.dense(d);
            } else if (featureType.equals(DataTypes.createArrayType(DataTypes.FloatType))) {
                Float[] a = new Float[X[i].length];
                for (int j = 0; j < a.length; j++) {
                    a[j] = X[i][j];
                }
                f = a;
            } else {
                Double[] a = new Double[X[i].length];
                for (int j = 0; j < a.length; j++) {
                    a[j] = (double) X[i][j];
                }
                f = a;
            }
            rows.add(RowFactory.create(f, (double) Y[i]));
        }
        return spark.createDataFrame(rows, new StructType().add("features", featureType).add("label", DataTypes.DoubleType));
    }

    private static List<Sample> parquet(SparkSession spark, Path tmp, DataType featureType) {
        String path = tmp.resolve("t.parquet").toUri().toString();
        frame(spark, featureType).write().parquet(path);
        DataLoader.Loaded l = DataLoader.load(spark, path, DataLoader.Format.PARQUET, DataLoader.Options.defaults(), 2);
        assertEquals(3, l.dim());
        return asTrainReadsIt(l);
    }

    @Test
    void parquetWithAnArrayOfFloatFeatures(SparkSession spark, @TempDir Path tmp) {
        assertRows(parquet(spark, tmp, DataTypes.createArrayType(DataTypes.FloatType)));
    }

    @Test
    void parquetWithAnArrayOfDoubleFeatures(SparkSession spark, @TempDir Path tmp) {
        assertRows(parquet(spark, tmp, DataTypes.createArrayType(DataTypes.DoubleType)));
    }

    @Test
    void parquetWithVectorFeatures(SparkSession spark, @TempDir Path tmp) {
        assertRows(parquet(spark, tmp, new VectorUDT()));
    }

    /** Narrow number types in the label and weight columns too (a float label, a byte weight). */
    @Test
    void parquetWithFloatLabelsAndByteWeights(SparkSession spark, @TempDir Path tmp) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < X.length; i++) {
            Float[] a = new Float[X[i].length];
            for (int j = 0; j < a.length; j++) {
                a[j] = X[i][j];
            }
            rows.add(RowFactory.create(a, Y[i], (byte) (i + 1)));
        }
        String path = tmp.resolve("w.parquet").toUri().toString();
        spark.createDataFrame(rows, new StructType().add("x", DataTypes.createArrayType(DataTypes.FloatType))
                .add("y", DataTypes.FloatType).add("w", DataTypes.ByteType)).write().parquet(path);
        DataLoader.Loaded l = DataLoader.load(spark, path, DataLoader.Format.PARQUET,
                new DataLoader.Options(false, -1, -1, "x", "y", "w"), 2);
        TrainingData d = l.pack();
        float[] weightByLabel = new float[4];
        for (DataBlock b : d.blocks().collect()) {
            for (int r = 0; r < b.rows(); r++) {
                weightByLabel[(int) b.labels()[r]] = (float) b.weight(r);
            }
        }
        assertArrayEquals(new float[] {2, 1, 3, 4}, weightByLabel); // Y = {1, 0, 2, 3}, weights i + 1
        assertRows(asTrainReadsIt(l));
    }

    @Test
    void inMemoryDatasetsWithVectorAndArrayFeatures(SparkSession spark) {
        for (DataType t : List.of(new VectorUDT(), DataTypes.createArrayType(DataTypes.FloatType),
                DataTypes.createArrayType(DataTypes.DoubleType))) {
            Dataset<Row> df = frame(spark, t);
            assertRows(asTrainReadsIt(new DataLoader.Loaded(TrainingData.samples(df, "features", "label", null, "DataFrame"), 3, "DataFrame", false)));
        }
    }

    @Test
    void csvFile(SparkSession spark, @TempDir Path tmp) throws Exception {
        Path csv = tmp.resolve("t.csv");
        StringBuilder s = new StringBuilder("a,b,c,label\n");
        for (int i = 0; i < X.length; i++) {
            s.append(X[i][0]).append(',').append(X[i][1]).append(',').append(X[i][2]).append(',').append(Y[i]).append('\n');
        }
        Files.writeString(csv, s);
        assertRows(asTrainReadsIt(DataLoader.load(spark, csv.toUri().toString(), DataLoader.Format.CSV,
                DataLoader.Options.defaults().withHeader(true), 2)));
    }

    @Test
    void libsvmFile(SparkSession spark, @TempDir Path tmp) throws Exception {
        Path svm = tmp.resolve("t.svm");
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < X.length; i++) {
            s.append(Y[i]);
            for (int j = 0; j < 3; j++) {
                if (X[i][j] != 0) {
                    s.append(' ').append(j + 1).append(':').append(X[i][j]);
                }
            }
            s.append('\n');
        }
        Files.writeString(svm, s);
        DataLoader.Loaded l = DataLoader.load(spark, svm.toUri().toString(), DataLoader.Format.LIBSVM,
                DataLoader.Options.defaults(), 2);
        assertEquals(3, l.dim());
        assertRows(asTrainReadsIt(l));
    }
}
