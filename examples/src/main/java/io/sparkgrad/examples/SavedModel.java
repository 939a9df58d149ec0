package io.sparkgrad.examples;

import static io.sparkgrad.examples.UsageException.require;

import io.sparkgrad.ml.SparkGradModel;
import io.sparkgrad.spark.BadDataException;
import io.sparkgrad.spark.DataLoader;
import io.sparkgrad.spark.Sample;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * What {@code predict} and {@code evaluate} share: finding and loading the saved model that
 * {@code --model-path} names, and reading {@code --data} for it.
 *
 * <p>{@code --model-path} is a saved {@link SparkGradModel} (a directory with {@code metadata/})
 * or the directory {@code train --output} wrote (its {@code model/} is used). The data's width is
 * checked against the model's: a CSV row of the model's width has no label; one field more has
 * the label at {@code --label-index}. A Parquet file without the {@code --label-col} column has no
 * label. LIBSVM lines always start with a label.
 */
final class SavedModel {
    private SavedModel() {
    }

    /** The saved model's directory: {@code path}, or {@code path/model}; a {@link UsageException} when neither holds one. */
    static String resolve(String path, Configuration conf) {
        try {
            Path p = new Path(path);
            FileSystem fs = p.getFileSystem(conf);
            require(fs.exists(p), "--model-path " + path + ": no such file or directory");
            if (fs.exists(new Path(p, "metadata"))) {
                return path;
            }
            Path inner = new Path(p, "model");
            require(fs.exists(new Path(inner, "metadata")), "--model-path " + path + ": holds no saved model"
                    + " (neither " + path + "/metadata nor the model/ directory that train --output writes)");
            return inner.toString();
        } catch (IOException e) {
            throw new UsageException("--model-path " + path + ": cannot be read: " + e.getMessage());
        }
    }

    /** Loads the model {@code --model-path} names, without Spark; a missing or damaged model is a {@link UsageException}. */
    static SparkGradModel load(String path, Configuration conf) {
        String dir = resolve(path, conf);
        try {
            return SparkGradModel.load(dir, conf);
        } catch (RuntimeException e) {
            Throwable c = e.getCause() != null && e.getMessage() == null ? e.getCause() : e;
            throw new UsageException("--model-path " + dir + ": cannot load the model: " + Cli.firstLine(c.getMessage()));
        }
    }

    /**
     * Reads {@code in}'s data for {@code model}, keeping the input's order (no repartitioning) unless
     * {@code partitions > 1}: rows with a label, or without one unless {@code labelRequired}.
     * A width that does not match the model's is a {@link UsageException} naming the file and both widths.
     */
    static DataLoader.Loaded read(SparkSession spark, DataOptions in, SparkGradModel model, boolean labelRequired,
                                  int partitions) {
        int d = model.numFeatures();
        DataLoader.Format f = in.parsedFormat();
        DataLoader.Options opt = in.loaderOptions();
        require(in.numFeatures == -1 || in.numFeatures == d, "--num-features " + in.numFeatures + ": the model takes " + d
                + " features");
        switch (f) {
            case CSV: {
                DataLoader.Loaded l = DataLoader.load(spark, in.data, f, opt, partitions); // infers fields - 1
                if (l.dim() == d) {
                    return l;
                }
                boolean unlabelled = l.dim() == d - 1 && !labelRequired;
                require(unlabelled, in.data + ": rows have " + (l.dim() + 1) + " fields; the model takes " + d
                        + " features (" + (labelRequired ? (d + 1) + " fields with the label"
                        : d + " fields without a label, or " + (d + 1) + " with one") + ")");
                return DataLoader.load(spark, in.data, f, opt.withoutLabel(d), partitions);
            }
            case LIBSVM:
                return DataLoader.load(spark, in.data, f, opt.withNumFeatures(d), partitions);
            default: {
                List<String> cols = Arrays.asList(spark.read().parquet(in.data).columns());
                boolean labelled = cols.contains(in.labelCol);
                require(labelled || !labelRequired, in.data + ": no label column '" + in.labelCol + "' (it has " + cols
                        + "); name it with --label-col");
                DataLoader.Loaded l = DataLoader.load(spark, in.data, f, labelled ? opt : opt.withoutLabel(-1), partitions);
                require(l.dim() == d, in.data + ": the features column '" + in.featuresCol + "' has " + l.dim()
                        + " values; the model takes " + d + " features");
                return l;
            }
        }
    }

    /** Rows {@code (features: vector, label: double)} of {@code data}, in its order; a row of another width is a BadDataException. */
    static Dataset<Row> frame(SparkSession spark, DataLoader.Loaded data, int width) {
        String source = data.source();
        JavaRDD<Row> rows = data.samples().map((Sample s) -> {
            float[] x = s.features();
            if (x.length != width) {
                throw new BadDataException(source + ": a row has " + x.length + " features; the model takes " + width);
            }
            double[] v = new double[x.length];
            for (int j = 0; j < v.length; j++) {
                v[j] = x[j];
            }
            return RowFactory.create(Vectors.dense(v), (double) s.label());
        });
        StructType schema = new StructType().add("features", SQLDataTypes.VectorType(), false)
                .add("label", DataTypes.DoubleType, false);
        return spark.createDataFrame(rows, schema);
    }
}
