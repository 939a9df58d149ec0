package io.sparkgrad.examples;

import static io.sparkgrad.examples.UsageException.require;

import io.sparkgrad.ml.SparkGradModel;
import io.sparkgrad.spark.DataLoader;
import io.sparkgrad.spark.KryoCheck;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The {@code predict} subcommand: scores {@code --data} with a saved model and writes one output
 * row per input row, in input order.
 *
 * <pre>
 *   ./spark-submit.sh predict --model-path runs/bc --data new.csv --header --output preds.csv
 * </pre>
 *
 * <p>Lifecycle: every option, the model (loaded without Spark) and {@code --output} are checked
 * before Spark starts; then the data is read for the model ({@link SavedModel#read}: a CSV row of
 * the model's width has no label, one field more has it at {@code --label-index}), scored by
 * {@link SparkGradModel#transform} and cached, and written: CSV (default) as one file with a header
 * {@code prediction[,probability_0,...]}, streamed partition by partition in order; Parquet
 * ({@code --output-format parquet}) as a directory of one part file, in the same columns. A
 * classifier's prediction is the class index (an int) and its probability columns follow; a
 * regressor's is the value in the label's units.
 */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Predict with a saved model: one output row per input row, in input order.")
final class Predict implements Callable<Integer> {
    @Option(names = "--model-path", required = true,
            description = "A saved model, or the directory train --output wrote (its model/)")
    String modelPath;

    /** The input: the same formats and options as train; a label may be present or not. */
    @Mixin
    DataOptions input = new DataOptions();

    @Option(names = "--output", required = true, description = "Where to write the predictions, any Hadoop path; must not exist unless --overwrite")
    String output;

    @Option(names = "--output-format", defaultValue = "csv", description = "csv (one file, with a header) | parquet (default: ${DEFAULT-VALUE})")
    String outputFormat;

    @Option(names = "--overwrite", description = "Replace an existing --output (default: off)")
    boolean overwrite;

    private final PrintStream out;
    private final Supplier<SparkSession> sessions;
    SparkGradModel model;

    Predict(PrintStream out) {
        this(out, () -> Cli.session("sparkgrad-predict"));
    }

    Predict(PrintStream out, Supplier<SparkSession> sessions) {
        this.out = out;
        this.sessions = sessions;
    }

    /** Checks the options, loads the model and checks --output, before Spark starts. */
    void validate() {
        require(input.data != null, "predict needs --data (the rows to predict)");
        input.validate();
        require(!input.given("--partitions"), "--partitions is not used by predict: it keeps the input's own partitions"
                + " to write the rows in input order");
        outputFormat = outputFormat.toLowerCase(Locale.ROOT);
        require(outputFormat.equals("csv") || outputFormat.equals("parquet"),
                "--output-format '" + outputFormat + "': expected csv or parquet");
        Configuration conf = Cli.hadoopConf();
        model = SavedModel.load(modelPath, conf);
        checkOutput(output, overwrite, conf);
    }

    /** An existing {@code output} is refused unless {@code overwrite}. */
    static void checkOutput(String output, boolean overwrite, Configuration conf) {
        try {
            Path p = new Path(output);
            require(overwrite || !p.getFileSystem(conf).exists(p),
                    "--output " + output + " already exists; pass --overwrite to replace it, or choose another path");
        } catch (IOException e) {
            throw new UsageException("--output " + output + ": cannot be checked: " + e.getMessage());
        }
    }

    @Override
    public Integer call() throws IOException {
        validate();
        SparkSession spark = sessions.get();
        KryoCheck.verify();
        DataLoader.Loaded data = SavedModel.read(spark, input, model, false, 1);
        Dataset<Row> scored = outputs(model, model.transform(SavedModel.frame(spark, data, model.numFeatures())))
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            long n = scored.count(); // scores every partition in parallel before the ordered write
            Path p = new Path(output);
            FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (overwrite) {
                fs.delete(p, true);
            }
            if (outputFormat.equals("parquet")) {
                scored.coalesce(1).write().parquet(output);
            } else {
                writeCsv(scored, fs, p);
            }
            out.printf(Locale.ROOT, "predicted %d rows of %s with %s; written to %s (%s)%n", n, data.source(),
                    model.spec().text(), output, outputFormat);
            out.flush();
            return 0;
        } finally {
            scored.unpersist();
        }
    }

    /** The output columns: prediction (an int class index for a classifier), then probability_0..k-1 for classifiers. */
    static Dataset<Row> outputs(SparkGradModel model, Dataset<Row> transformed) {
        List<Column> cols = new ArrayList<>();
        if (model.numClasses() > 0) {
            cols.add(functions.col("prediction").cast("int").as("prediction"));
            Column p = org.apache.spark.ml.functions.vector_to_array(functions.col("probability"), "float64");
            for (int k = 0; k < model.numClasses(); k++) {
                cols.add(p.getItem(k).as("probability_" + k));
            }
        } else {
            cols.add(functions.col("prediction"));
        }
        return transformed.select(cols.toArray(new Column[0]));
    }

    /**
     * Writes the header and one line per row, partition by partition in order (each partition's
     * lines fetched by one small job), so the driver holds one partition's lines at a time.
     */
    private static void writeCsv(Dataset<Row> scored, FileSystem fs, Path p) throws IOException {
        org.apache.spark.api.java.JavaRDD<String> lines = scored.javaRDD().map(r -> {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length(); i++) {
                if (i > 0) {
                    line.append(',');
                }
                line.append(r.get(i));
            }
            return line.toString();
        });
        try (OutputStream os = fs.create(p, false);
             Writer w = new java.io.BufferedWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8))) {
            w.write(String.join(",", scored.columns()));
            w.write('\n');
            for (int part = 0; part < lines.getNumPartitions(); part++) {
                for (String l : lines.collectPartitions(new int[] {part})[0]) {
                    w.write(l);
                    w.write('\n');
                }
            }
        }
    }
}
