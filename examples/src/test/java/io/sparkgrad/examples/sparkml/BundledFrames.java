package io.sparkgrad.examples.sparkml;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The bundled data sets as a Spark ML user has them: DataFrames of plain double columns
 * {@code f0..f(d-1)} and a double {@code label} (no vectors, no scaling), from the examples' jar.
 */
final class BundledFrames {
    private BundledFrames() {
    }

    /** Breast Cancer Wisconsin: 569 rows, 30 features, label 0 malignant / 1 benign. */
    static Dataset<Row> breastCancer(SparkSession spark) {
        return frame(spark, "io/sparkgrad/examples/data/breast_cancer.csv", true);
    }

    /** Optical digits: 1797 rows, 64 pixel features (0..16), label 0..9. */
    static Dataset<Row> digits(SparkSession spark) {
        return frame(spark, "io/sparkgrad/examples/data/digits.csv.gz", false);
    }

    /** {@code df} split 80/20 with seed 42, both parts cached: the pipeline tests' train and test sets. */
    static Dataset<Row>[] split(Dataset<Row> df) {
        Dataset<Row>[] parts = df.randomSplit(new double[] {0.8, 0.2}, 42);
        parts[0].cache();
        parts[1].cache();
        return parts;
    }

    /** A user's pipeline: VectorAssembler of the f-columns, StandardScaler (mean and std), then {@code classifier}. */
    static Pipeline pipeline(Dataset<Row> train, PipelineStage classifier) {
        return new Pipeline().setStages(new PipelineStage[] {
            new VectorAssembler().setInputCols(featureColumns(train)).setOutputCol("raw"),
            new StandardScaler().setInputCol("raw").setOutputCol("features").setWithMean(true),
            classifier});
    }

    /** MLlib's accuracy of a transformed data set. */
    static double accuracy(Dataset<Row> predictions) {
        return new MulticlassClassificationEvaluator().setMetricName("accuracy").evaluate(predictions);
    }

    /** The feature column names {@code f0..f(d-1)} of {@code df}. */
    static String[] featureColumns(Dataset<Row> df) {
        return java.util.Arrays.stream(df.columns()).filter(c -> c.startsWith("f")).toArray(String[]::new);
    }

    private static Dataset<Row> frame(SparkSession spark, String resource, boolean header) {
        List<Row> rows = new ArrayList<>();
        int dim = -1;
        try (InputStream raw = BundledFrames.class.getClassLoader().getResourceAsStream(resource)) {
            if (raw == null) {
                throw new IOException(resource + " is not on the classpath");
            }
            InputStream in = resource.endsWith(".gz") ? new GZIPInputStream(raw) : raw;
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            if (header) {
                r.readLine();
            }
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isBlank()) {
                    continue;
                }
                String[] parts = line.split(",");
                dim = parts.length - 1;
                Object[] v = new Object[parts.length];
                for (int i = 0; i < parts.length; i++) {
                    v[i] = Double.parseDouble(parts[i].trim());
                }
                rows.add(RowFactory.create(v));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        StructType schema = new StructType();
        for (int i = 0; i < dim; i++) {
            schema = schema.add("f" + i, DataTypes.DoubleType);
        }
        schema = schema.add("label", DataTypes.DoubleType);
        return spark.createDataFrame(rows, schema).repartition(2);
    }
}
