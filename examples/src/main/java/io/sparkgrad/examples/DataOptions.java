package io.sparkgrad.examples;

import static io.sparkgrad.examples.UsageException.require;

import io.sparkgrad.spark.DataLoader;
import io.sparkgrad.spark.LabelRule;
import io.sparkgrad.spark.TrainingData;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The input options every subcommand shares (a picocli mixin): where the data is, its format, and
 * where its label, features and weights are. {@link #validate} checks them before Spark starts;
 * {@link #load} reads the data, or the bundled digits data set when {@code --data} is not given.
 */
final class DataOptions {
    static final String DIGITS = "io/sparkgrad/examples/data/digits.csv.gz";

    @Option(names = "--data", description = "The data: any Hadoop path (file://, hdfs://) (default: the bundled digits data set)")
    String data;

    @Option(names = "--format", defaultValue = "csv", description = "csv | libsvm | parquet (default: ${DEFAULT-VALUE})")
    String format;

    @Option(names = "--header", description = "CSV: the files start with a header line (default: off)")
    boolean header;

    @Option(names = "--num-features", defaultValue = "-1",
            description = "Feature count, for CSV and LIBSVM; rows are dense, so at most " + TrainingData.MAX_FEATURES
                    + " (default: from the data)")
    int numFeatures;

    @Option(names = "--label-index", defaultValue = "-1",
            description = "CSV: the label's field, a 0-based index; negative counts from the end (default: ${DEFAULT-VALUE}, the last)")
    int labelIndex;

    /** The old name of --label-index, accepted with a warning. */
    @Option(names = "--label-column", hidden = true)
    Integer deprecatedLabelColumn;

    @Option(names = "--features-col", defaultValue = "features", description = "Parquet: the features column's name, a vector or an array (default: ${DEFAULT-VALUE})")
    String featuresCol;

    @Option(names = "--label-col", defaultValue = "label", description = "Parquet: the label column's name (default: ${DEFAULT-VALUE})")
    String labelCol;

    @Option(names = "--weight-col", description = "Parquet: a per-sample weight column's name, used as a per-sample sens (default: none)")
    String weightCol;

    @Option(names = "--partitions", defaultValue = "4", description = "Data partitions, at least 1 (default: ${DEFAULT-VALUE})")
    int partitions;

    /** The command this mixin is part of, for what was given on its command line. */
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    /** True when {@code option} was given on the command line. */
    boolean given(String option) {
        return given(mixee, option);
    }

    /** True when {@code option} was given on {@code command}'s command line (null: not parsed). */
    static boolean given(CommandSpec command, String option) {
        return command != null && command.commandLine().getParseResult() != null
                && command.commandLine().getParseResult().hasMatchedOption(option);
    }

    /** The input format; {@code --format} must have passed {@link #validate}. */
    DataLoader.Format parsedFormat() {
        return DataLoader.Format.parse(format);
    }

    /**
     * Checks the input options against each other before Spark starts; throws
     * {@link UsageException} naming the option and its value.
     */
    void validate() {
        if (deprecatedLabelColumn != null) {
            require(!given("--label-index"), "--label-column is the old name of --label-index; give only --label-index");
            PrintWriter err = mixee != null ? mixee.commandLine().getErr() : new PrintWriter(System.err, true);
            err.println("warning: --label-column is deprecated; use --label-index (a CSV field's 0-based index)");
            err.flush();
            labelIndex = deprecatedLabelColumn;
        }
        DataLoader.Format f;
        try {
            f = DataLoader.Format.parse(format);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--format '" + format + "': expected csv, libsvm or parquet");
        }
        require(data != null || f == DataLoader.Format.CSV, "--format " + format + " needs --data (the bundled data set is CSV)");
        boolean csv = f == DataLoader.Format.CSV;
        boolean parquet = f == DataLoader.Format.PARQUET;
        require(csv || !header, "--header is for CSV; this run reads --format " + format);
        require(csv || (!given("--label-index") && deprecatedLabelColumn == null),
                "--label-index is a CSV field's index; for --format " + format
                        + (parquet ? " name the label column with --label-col" : " the label is the first field"));
        require(parquet || !given("--label-col"), "--label-col names a Parquet column; for --format " + format
                + (csv ? " give the label's field index with --label-index" : " the label is the first field"));
        require(parquet || !given("--features-col"), "--features-col names a Parquet column; this run reads --format " + format);
        require(parquet || weightCol == null, "--weight-col needs --format parquet");
        require(parquet || numFeatures == -1 || numFeatures >= 1, "--num-features must be at least 1, got " + numFeatures);
        require(numFeatures <= TrainingData.MAX_FEATURES, "--num-features must be at most " + TrainingData.MAX_FEATURES
                + " (dense rows), got " + numFeatures);
        require(!parquet || !given("--num-features"), "--num-features is for CSV and LIBSVM; Parquet rows carry their own");
        require(partitions >= 1, "--partitions must be at least 1, got " + partitions);
    }

    /** The loader's options from these. */
    DataLoader.Options loaderOptions() {
        return new DataLoader.Options(header, labelIndex, numFeatures, featuresCol, labelCol, weightCol);
    }

    /** Reads {@code --data} (or the bundled digits) into {@code --partitions} partitions. */
    DataLoader.Loaded load(SparkSession spark) throws IOException {
        return load(spark, null);
    }

    /**
     * As {@link #load(SparkSession)}, checking every label of CSV and LIBSVM lines against
     * {@code labels} (null: none) as it is read, so a bad one names its file and line.
     */
    DataLoader.Loaded load(SparkSession spark, LabelRule labels) throws IOException {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        DataLoader.Options opt = loaderOptions().withLabels(labels);
        return data == null
                ? DataLoader.fromLines(sc, bundled(DIGITS), "classpath:" + DIGITS, DataLoader.Format.CSV, opt, partitions)
                : DataLoader.load(spark, data, parsedFormat(), opt, partitions);
    }

    /** The lines of a data set bundled in the jar ({@code .gz} is decompressed). */
    static List<String> bundled(String resource) throws IOException {
        InputStream in = DataOptions.class.getClassLoader().getResourceAsStream(resource);
        if (in == null) {
            throw new IOException("the bundled data set " + resource + " is missing from the jar");
        }
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                resource.endsWith(".gz") ? new GZIPInputStream(in) : in, StandardCharsets.UTF_8))) {
            for (String l; (l = r.readLine()) != null; ) {
                lines.add(l);
            }
        }
        return lines;
    }
}
