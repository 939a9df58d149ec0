package io.sparkgrad.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The CLI trains from a real file in every input format it documents, in the session it runs in
 * (Kryo with registration required): CSV, LIBSVM, and Parquet with the features as an ml vector,
 * an array of float and an array of double.
 */
class TrainInputsTest {
    static final int N = 300;
    static final double[][] X = new double[N][];
    static final int[] Y = new int[N];

    @TempDir
    static Path tmp;

    @BeforeAll
    static void rule() {
        SplittableRandom r = new SplittableRandom(11);
        for (int i = 0; i < N; i++) {
            X[i] = new double[] {r.nextGaussian(), r.nextGaussian(), r.nextGaussian()};
            Y[i] = X[i][0] + 0.5 * X[i][1] - X[i][2] > 0 ? 1 : 0; // linearly separable
        }
    }

    private static String write(String kind) throws Exception {
        if (kind.equals("csv") || kind.equals("libsvm")) {
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < N; i++) {
                if (kind.equals("csv")) {
                    s.append(String.format(Locale.ROOT, "%.6f,%.6f,%.6f,%d%n", X[i][0], X[i][1], X[i][2], Y[i]));
                } else {
                    s.append(String.format(Locale.ROOT, "%d 1:%.6f 2:%.6f 3:%.6f%n", Y[i], X[i][0], X[i][1], X[i][2]));
                }
            }
            Path p = tmp.resolve("rule." + kind);
            Files.writeString(p, s);
            return p.toUri().toString();
        }
        DataType type = kind.equals("parquet-vector") ? new VectorUDT()
                : DataTypes.createArrayType(kind.equals("parquet-float") ? DataTypes.FloatType : DataTypes.DoubleType);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            Object f = kind.equals("parquet-vector") ? Vectors.dense(X[i])
                    : kind.equals("parquet-float") ? new Float[] {(float) X[i][0], (float) X[i][1], (float) X[i][2]}
                    : new Double[] {X[i][0], X[i][1], X[i][2]};
            rows.add(RowFactory.create(f, (double) Y[i]));
        }
        SparkSession spark = Train.session("train-inputs-test"); // the CLI's own session settings
        assertEquals("true", spark.conf().get("spark.kryo.registrationRequired"));
        String path = tmp.resolve(kind + ".parquet").toUri().toString();
        spark.createDataFrame(rows, new StructType().add("x", type).add("y", DataTypes.DoubleType)).write().parquet(path);
        return path;
    }

    @ParameterizedTest
    @ValueSource(strings = {"csv", "libsvm", "parquet-vector", "parquet-float", "parquet-double"})
    void trainsFromAFileInEveryFormat(String kind) throws Exception {
        String path = write(kind);
        List<String> args = new ArrayList<>(List.of("--data", path, "--model", "logreg", "--loss", "bce", "--epochs", "15",
                "--batch-size", "0", "--lr", "0.2", "--output", tmp.resolve("out-" + kind).toString()));
        args.addAll(kind.startsWith("parquet") ? List.of("--format", "parquet", "--features-col", "x", "--label-col", "y")
                : List.of("--format", kind));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = Train.run(new Train(new PrintStream(out, true, StandardCharsets.UTF_8)),
                new PrintStream(err, true, StandardCharsets.UTF_8), args.toArray(new String[0]));
        String o = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
        assertTrue(o.startsWith("SparkGrad: " + path + ", 3 features, model logreg"), o);
        String last = o.lines().filter(l -> l.startsWith("trained on")).findFirst().orElseThrow();
        double acc = Double.parseDouble(last.replaceAll(".*test accuracy ([0-9.]+) on.*", "$1"));
        assertTrue(acc >= 0.9, kind + ": " + last);
    }
}
