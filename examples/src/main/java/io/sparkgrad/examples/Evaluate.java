package io.sparkgrad.examples;

import static io.sparkgrad.examples.UsageException.require;

import io.sparkgrad.ml.SparkGradModel;
import io.sparkgrad.spark.DataLoader;
import io.sparkgrad.spark.Evaluator;
import io.sparkgrad.spark.KryoCheck;
import io.sparkgrad.spark.RegressionMetrics;
import io.sparkgrad.spark.TrainingData;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The {@code evaluate} subcommand: the metrics of a saved model on a labelled data set.
 *
 * <pre>
 *   ./spark-submit.sh evaluate --model-path runs/bc --data test.csv --header
 * </pre>
 *
 * <p>A classifier prints its mean loss and accuracy, computed as {@code train} computes its test
 * metrics ({@link Evaluator} on the rows standardised with the model's own statistics), so the
 * same rows give the same figures. A regressor prints MSE, RMSE, MAE and R² of its predictions in
 * the label's units ({@link RegressionMetrics}). The model and options are checked before Spark
 * starts; the data must carry a label.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Print the metrics of a saved model on a labelled data set.")
final class Evaluate implements Callable<Integer> {
    @Option(names = "--model-path", required = true,
            description = "A saved model, or the directory train --output wrote (its model/)")
    String modelPath;

    /** The input: the same formats and options as train; the label is required. */
    @Mixin
    DataOptions input = new DataOptions();

    @Option(names = "--micro-batch", defaultValue = "512", description = "Rows per engine call, at least 1 (default: ${DEFAULT-VALUE})")
    int microBatch;

    private final PrintStream out;
    private final Supplier<SparkSession> sessions;

    /** The figures, for tests: accuracy and loss (classifiers) or the regression metrics. */
    record Outcome(long rows, double loss, double accuracy, RegressionMetrics regression) {
    }

    Outcome last;

    Evaluate(PrintStream out) {
        this(out, () -> Cli.session("sparkgrad-evaluate"));
    }

    Evaluate(PrintStream out, Supplier<SparkSession> sessions) {
        this.out = out;
        this.sessions = sessions;
    }

    @Override
    public Integer call() {
        require(input.data != null, "evaluate needs --data (labelled rows)");
        input.validate();
        require(microBatch >= 1, "--micro-batch must be at least 1, got " + microBatch);
        SparkGradModel model = SavedModel.load(modelPath, Cli.hadoopConf());
        SparkSession spark = sessions.get();
        KryoCheck.verify();
        DataLoader.Loaded data = SavedModel.read(spark, input, model, true, input.partitions);
        if (model.numClasses() > 0) {
            DataLoader.Loaded z = new DataLoader.Loaded(model.featureScaling().apply(data.samples()), data.dim(),
                    data.source(), data.weighted());
            TrainingData packed = z.pack().cache();
            try {
                Evaluator.Metrics m = Evaluator.evaluate(JavaSparkContext.fromSparkContext(spark.sparkContext()), packed,
                        model.spec(), model.lossKind(), model.weights(), microBatch);
                last = new Outcome(m.count(), m.meanLoss(), m.accuracy(), null);
                out.printf(Locale.ROOT, "%s on %s: loss %.4f; accuracy %.4f on %d rows%n", model.spec().text(),
                        data.source(), m.meanLoss(), m.accuracy(), m.count());
            } finally {
                packed.unpersist();
            }
        } else {
            RegressionMetrics r = RegressionMetrics.of(model.transform(SavedModel.frame(spark, data, model.numFeatures()))
                    .select("prediction", "label").javaRDD().map(row -> new double[] {row.getDouble(0), row.getDouble(1)}));
            last = new Outcome(r.count(), r.mse(), Double.NaN, r);
            out.printf(Locale.ROOT, "%s on %s: MSE %.4f; RMSE %.4f; MAE %.4f; R2 %.4f on %d rows%n", model.spec().text(),
                    data.source(), r.mse(), r.rmse(), r.mae(), r.r2(), r.count());
        }
        out.flush();
        return 0;
    }
}
