package io.sparkgrad.examples;

import static io.sparkgrad.examples.UsageException.require;

import io.sparkgrad.ml.LabelScale;
import io.sparkgrad.ml.SparkGradModel;
import io.sparkgrad.ml.Standardization;
import io.sparkgrad.spark.DataLoader;
import io.sparkgrad.spark.DataParallelTrainer;
import io.sparkgrad.spark.TrainerBuilder;
import io.sparkgrad.spark.Evaluator;
import io.sparkgrad.spark.LossKind;
import io.sparkgrad.spark.MetricsListener;
import io.sparkgrad.spark.ModelSpec;
import io.sparkgrad.spark.ProgressListener;
import io.sparkgrad.spark.RegressionMetrics;
import io.sparkgrad.spark.TargetScale;
import io.sparkgrad.spark.StepRecord;
import io.sparkgrad.spark.TrainingData;
import io.sparkgrad.spark.KryoCheck;
import io.sparkgrad.spark.LabelRule;
import io.sparkgrad.spark.TrainerConfig;
import io.sparkgrad.spark.checkpoint.Checkpoint;
import io.sparkgrad.spark.checkpoint.CheckpointStore;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The training job users run with {@code ./spark-submit.sh}. With no options it trains an MLP on
 * the bundled digits data set (1797 8x8 images, UCI; see the data README) on a fixed 70/10/20
 * split (training, validation after every epoch, test once at the end) in local mode, printing
 * progress, a summary and the final test accuracy. With {@code --loss mse} the target is
 * standardised on the training rows and the metrics are MSE, RMSE, MAE and R² in its units.
 *
 * <pre>
 *   ./spark-submit.sh                                   # the default: digits, mlp:64,10
 *   ./spark-submit.sh --data hdfs://nn/data/bc.csv --header --model logreg --loss bce --epochs 50
 *   ./spark-submit.sh --data hdfs://nn/data/bc.csv --header --model logreg --loss bce --optimizer lbfgs --l2 0.01
 *   ./spark-submit.sh --master spark://127.0.0.1:7077 --partitions 8
 * </pre>
 *
 * <p>The {@code train} subcommand of {@link Cli}. Its input options are the {@link DataOptions}
 * mixin, shared with the other subcommands; the optimizer's are the {@link OptimizerOptions} mixin
 * (first-order, or full-batch L-BFGS / OWL-QN); the rest are the model, training and output
 * options, each checked in {@link #validate} before Spark starts.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Data-parallel training of a SparkGrad model on Spark.")
public final class Train implements Callable<Integer> {
    /** Where the data is and how to read it; shared with the other subcommands. */
    @Mixin
    DataOptions input = new DataOptions();

    @Option(names = "--model", defaultValue = "mlp:64,10", description = "logreg | mlp:W1,...,OUT | class:NAME (your ModelFactory, with its jar in --jars) (default: ${DEFAULT-VALUE})")
    String model;

    /** Every name in the description is checked against {@link LossKind#allNames()} by a test. */
    @Option(names = "--loss", defaultValue = "softmax", description = "softmax_cross_entropy (or softmax) | bce_with_logits (or bce)"
            + " | mse, the names the Spark ML estimator's loss param takes (default: ${DEFAULT-VALUE})")
    String loss;

    @Option(names = "--classes", defaultValue = "-1", description = "Classes for softmax, at least 2 (default: from the labels, which must then be 0..K-1)")
    int classes;

    @Option(names = "--epochs", defaultValue = "30", description = "Passes over the data, at least 1; the most iterations"
            + " for --optimizer lbfgs and owlqn (default: ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "128", description = "Rows per step, 0 for full batch; lbfgs and owlqn"
            + " are always full batch (default: ${DEFAULT-VALUE} for adam, adamw and sgd)")
    int batchSize;

    /** The optimizer and its settings: --lr, --optimizer, --l1, --momentum, --weight-decay, --schedule, --clip. */
    @Mixin
    OptimizerOptions optim = new OptimizerOptions();

    @Option(names = "--tree-depth", defaultValue = "2", description = "Depth of the gradient reduction tree, at least 1 (default: ${DEFAULT-VALUE})")
    int treeDepth;

    @Option(names = "--micro-batch", defaultValue = "512", description = "Rows per engine call in a partition, at least 1 (default: ${DEFAULT-VALUE})")
    int microBatch;

    @Option(names = "--validation-fraction", defaultValue = "0.1",
            description = "Fraction of the rows held out and evaluated after every epoch, in [0, 1); 0 for none (default: ${DEFAULT-VALUE})")
    double validationFraction;

    @Option(names = "--early-stopping-rounds", defaultValue = "0",
            description = "Stop after this many epochs without a lower validation loss and keep the best epoch's parameters;"
                    + " needs --validation-fraction > 0; 0 = off (default: ${DEFAULT-VALUE})")
    int earlyStoppingRounds;

    @Option(names = "--test-fraction", defaultValue = "0.2",
            description = "Fraction of the rows held out and evaluated once, at the end, in [0, 1); 0 for none (default: ${DEFAULT-VALUE})")
    double testFraction;

    @Option(names = "--standardize", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Scale features (and, for mse, the target) to zero mean, unit variance using training statistics;"
                    + " metrics and predictions stay in the target's units (default: on)")
    boolean standardize;

    @Option(names = "--seed", defaultValue = "42", description = "Seed for the split, initialisation and shuffling (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--checkpoint-dir", description = "Where to write checkpoints, any Hadoop path (default: none, no checkpoints)")
    String checkpointDir;

    @Option(names = "--checkpoint-every", defaultValue = "50", description = "Steps between checkpoints, at least 1 (default: ${DEFAULT-VALUE})")
    int checkpointEvery;

    @Option(names = "--resume", description = "Continue from the latest checkpoint in --checkpoint-dir (default: off)")
    boolean resume;

    @Option(names = "--keep-checkpoints", defaultValue = "" + TrainerConfig.DEFAULT_KEEP_CHECKPOINTS,
            description = "Checkpoints to keep, the newest; older ones are deleted once a new one is safely written, 0 keeps all (default: ${DEFAULT-VALUE})")
    int keepCheckpoints;

    @Option(names = "--output", description = "Directory for the trained model (model/, which predict and evaluate read), metrics.csv and loss.png; must not hold an earlier run"
            + " unless --overwrite or --resume is given (default: runs/<date-time>)")
    String output;

    @Option(names = "--overwrite", description = "Replace the model, metrics.csv and loss.png of an earlier run in --output (default: off)")
    boolean overwrite;

    @Option(names = "--log-every", defaultValue = "0", description = "Print every Nth step and every epoch; 0 prints a line at most"
            + " every " + LOG_SECONDS + " s (the epoch's if one ended) and the last epoch (default: ${DEFAULT-VALUE})")
    int logEvery;

    /** Seconds between progress lines with the default {@code --log-every 0}. */
    static final int LOG_SECONDS = 10;

    @Spec
    CommandSpec spec;

    private final PrintStream out;
    private final Supplier<SparkSession> sessions;

    Train(PrintStream out) {
        this(out, () -> session("sparkgrad-train"));
    }

    /** With the session the job runs in; tests pass one that fails when options must be refused first. */
    Train(PrintStream out, Supplier<SparkSession> sessions) {
        this.out = out;
        this.sessions = sessions;
    }

    /** Runs the train subcommand (also what {@code Cli} runs with no subcommand). */
    public static void main(String[] args) {
        Cli.main(args);
    }

    /** Runs the job; returns the exit code. */
    public static int run(PrintStream out, String... args) {
        return run(new Train(out), System.err, args);
    }

    /**
     * Runs {@code job}; returns the exit code: 0, 2 for a user error (one {@code error:} line on
     * {@code err}), or 1 for an internal error (with its trace).
     */
    static int run(Train job, PrintStream err, String... args) {
        return commandLine(job, err).execute(args);
    }

    /** The command line of {@code job}: user errors as one {@code error: ...} line and exit code 2. */
    static CommandLine commandLine(Train job, PrintStream err) {
        return Cli.configure(new CommandLine(job), job.out, err);
    }

    /**
     * Checks every option, and the state of {@code --output}, before Spark starts; throws
     * {@link UsageException} naming the option and its value. Fills in {@code --output}'s default.
     */
    void validate() {
        input.validate();
        try {
            LossKind.fromName(loss);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--loss '" + loss + "': expected " + LossKind.describeNames());
        }
        try {
            ModelSpec.checkSyntax(model); // the widths (and a factory class) are checked against the data later
        } catch (IllegalArgumentException e) {
            throw new UsageException("--" + e.getMessage());
        }
        require(classes == -1 || classes >= 2, "--classes must be at least 2, got " + classes);
        require(epochs >= 1, "--epochs must be at least 1, got " + epochs);
        require(batchSize >= 0, "--batch-size must be 0 (full batch) or more, got " + batchSize);
        optim.validate(batchSize, DataOptions.given(spec, "--batch-size"));
        require(treeDepth >= 1, "--tree-depth must be at least 1, got " + treeDepth);
        require(microBatch >= 1, "--micro-batch must be at least 1, got " + microBatch);
        require(validationFraction >= 0 && validationFraction < 1, "--validation-fraction must be in [0, 1), got " + validationFraction);
        require(testFraction >= 0 && testFraction < 1, "--test-fraction must be in [0, 1), got " + testFraction);
        require(validationFraction + testFraction < 1, "--validation-fraction " + validationFraction + " and --test-fraction "
                + testFraction + " leave no training rows; their sum must be below 1");
        require(checkpointEvery >= 1, "--checkpoint-every must be at least 1, got " + checkpointEvery);
        require(keepCheckpoints >= 0, "--keep-checkpoints must be 0 (keep all) or more, got " + keepCheckpoints);
        require(earlyStoppingRounds >= 0, "--early-stopping-rounds must be 0 (off) or more, got " + earlyStoppingRounds);
        require(earlyStoppingRounds == 0 || validationFraction > 0,
                "--early-stopping-rounds needs a validation split; --validation-fraction is 0");
        require(logEvery >= 0, "--log-every must be 0 (every " + LOG_SECONDS + " s) or more, got " + logEvery);
        require(!resume || checkpointDir != null, "--resume needs --checkpoint-dir (the directory to resume from)");
        if (output == null) {
            output = "runs/" + java.time.LocalDateTime.now().format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        }
        checkOutput();
    }

    /** What a run writes into --output. */
    static final List<String> OUTPUTS = List.of("model", "metrics.csv", "loss.png");

    /**
     * An --output that holds an earlier run is refused, unless --overwrite (its model, metrics.csv
     * and loss.png are removed; nothing else is) or --resume (the resumed run continues it).
     */
    private void checkOutput() {
        Path dir = new Path(output);
        try {
            FileSystem fs = dir.getFileSystem(Cli.hadoopConf());
            if (!fs.exists(dir)) {
                return;
            }
            require(fs.getFileStatus(dir).isDirectory(), "--output " + output + " is a file, not a directory");
            List<String> earlier = new ArrayList<>();
            for (String name : OUTPUTS) {
                if (fs.exists(new Path(dir, name))) {
                    earlier.add(name);
                }
            }
            if (earlier.isEmpty() || resume) {
                return;
            }
            require(overwrite, "--output " + output + " already holds an earlier run (" + String.join(", ", earlier)
                    + "); pass --overwrite to replace it, or choose another directory");
            for (String name : earlier) {
                fs.delete(new Path(dir, name), true);
            }
            out.printf("--overwrite: removed %s from %s%n", String.join(", ", earlier), output);
        } catch (IOException e) {
            throw new UsageException("--output " + output + ": cannot be checked: " + e.getMessage());
        }
    }

    /**
     * The outcome, for tests: test accuracy (NaN for regression or without a test split), test
     * loss, rows, the test regression metrics in the target's units (null for classification or
     * without a test split) and the target's scale ({@link TargetScale#IDENTITY} when not scaled).
     */
    record Outcome(double testAccuracy, double testLoss, long trainRows, long testRows, RegressionMetrics testRegression,
                   TargetScale targetScale) {
    }

    Outcome last;

    @Override
    public Integer call() throws IOException {
        validate();
        SparkSession spark = sessions.get();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        KryoCheck.verify();
        LossKind lossKind = LossKind.fromName(loss);
        DataLoader.Loaded all = input.load(spark, LabelRule.of(lossKind, classes));
        DataLoader.Loaded[] split = Splits.of(all, validationFraction, testFraction, seed);
        DataLoader.Loaded train = split[0].repartition(input.partitions);
        DataLoader.Loaded validation = split[1];
        DataLoader.Loaded test = split[2];
        Standardization z = null; // saved with the model, which applies it to every row it scores
        if (standardize) {
            z = Standardization.fit(train.samples(), all.dim());
            train = new DataLoader.Loaded(z.apply(train.samples()), train.dim(), train.source(), train.weighted());
            validation = new DataLoader.Loaded(z.apply(validation.samples()), validation.dim(), validation.source(), validation.weighted());
            test = new DataLoader.Loaded(z.apply(test.samples()), test.dim(), test.source(), test.weighted());
        }
        // MSE trains on the standardised target (training rows' mean and std); metrics are reported in its units.
        TargetScale targetScale = standardize && lossKind == LossKind.MSE ? Splits.fitTargetScale(train.samples()) : TargetScale.IDENTITY;
        if (!targetScale.isIdentity()) {
            train = Splits.scaleTarget(train, targetScale);
            validation = Splits.scaleTarget(validation, targetScale);
            test = Splits.scaleTarget(test, targetScale);
        }
        TrainingData trainData = train.pack().withTargetScale(targetScale).cache();
        TrainingData validationData = validationFraction > 0 ? validation.pack().withTargetScale(targetScale).cache() : null;
        TrainingData testData = testFraction > 0 ? test.pack().withTargetScale(targetScale).cache() : null;
        int outputs = lossKind == LossKind.SOFTMAX_CROSS_ENTROPY
                ? (classes > 0 ? classes : inferClasses(all)) : 1;
        ModelSpec spec = ModelSpec.parse(model, all.dim(), outputs, seed);
        if (optim.quasiNewton() && !spec.isUserClass()) { // as the estimator: the objective in double (Precision)
            spec = spec.withDtype(io.sparkgrad.DType.FLOAT64);
        }
        out.printf(Locale.ROOT, "SparkGrad: %s, %d features, model %s, loss %s, %s, master %s%n", all.source(), all.dim(),
                spec.text(), lossKind, optim.name(), spark.sparkContext().master());
        if (!targetScale.isIdentity()) {
            out.printf(Locale.ROOT, "target standardised with the training rows' mean %.6g and std %.6g: losses are on the"
                    + " standardised target, RMSE and MAE in the target's units%n", targetScale.mean(), targetScale.std());
        }
        TrainerBuilder b = optim.builder(spec, lossKind, epochs).microBatch(microBatch).treeDepth(treeDepth).seed(seed)
                .validation(validationData).modelDescription(spec.toString())
                .listener(logEvery > 0 ? ProgressListener.console(out, logEvery)
                        : ProgressListener.consoleEvery(out, LOG_SECONDS, System::nanoTime))
                .listener(new MetricsListener(output + "/metrics.csv", output + "/loss.png", sc.hadoopConfiguration()));
        if (batchSize > 0 && !optim.quasiNewton()) {
            b.batchSize(batchSize);
        }
        if (earlyStoppingRounds > 0) {
            b.earlyStoppingRounds(earlyStoppingRounds);
        }
        if (checkpointDir != null) {
            b.checkpoints(checkpointDir, checkpointEvery).resume(resume).keepCheckpoints(keepCheckpoints);
        }
        if (resume) {
            b.listener(resumeReport(out, checkpointDir));
        }
        DataParallelTrainer.Result r = b.build().fit(spark, trainData);
        if (optim.quasiNewton()) { // Breeze's reason, e.g. "function values converged"
            out.printf(Locale.ROOT, "%s stopped after iteration %d: %s%n", optim.name(), r.optimizerState().step(), r.stopReason());
        }
        if (r.earlyStopping() != null) {
            var es = r.earlyStopping();
            out.printf(Locale.ROOT, "early stopping: best validation loss %.4f after epoch %d (step %d)%s; the model has its parameters%n",
                    es.bestLoss(), es.bestEpoch() + 1, es.bestStep(),
                    es.stoppedEarly() ? String.format(Locale.ROOT, ", stopped after epoch %d", es.stoppedAtEpoch() + 1) : "");
        }
        Evaluator.Metrics m = testData == null ? null
                : Evaluator.evaluate(sc, testData, spec, lossKind, r.flatParameters(), microBatch);
        Path modelDir = new Path(output, "model");
        if (resume) { // a resumed run continues an earlier one's --output: its final model replaces any earlier one
            modelDir.getFileSystem(sc.hadoopConfiguration()).delete(modelDir, true);
        }
        // model/ is a SparkGradModel (metadata/, parameters.sgck: what `predict`, `evaluate` and
        // SparkGradModel.load read) and holds the final training checkpoint (ckpt-*.sgck) beside it
        SparkGradModel.fromTraining(spec, r.flatParameters(), lossKind, z, new LabelScale(targetScale.mean(), targetScale.std())).write().save(modelDir.toString());
        new CheckpointStore(modelDir.toString(), sc.hadoopConfiguration()).write(Checkpoint.of(
                r.optimizerState().step(), r.history().isEmpty() ? 0 : r.history().get(r.history().size() - 1).epoch(),
                seed, spec.toString(), r.parameters(), r.optimizerState()));
        last = m == null ? new Outcome(Double.NaN, Double.NaN, r.rows(), 0, null, targetScale)
                : new Outcome(m.accuracy(), m.meanLoss(), r.rows(), m.count(), m.regression(), targetScale);
        printTestMetrics(r.rows(), m);
        out.printf("model, metrics.csv and loss.png written to %s%n", output);
        out.flush();
        return 0;
    }

    /** The last line about the test split: its loss and accuracy, or its regression metrics, or that there is none. */
    private void printTestMetrics(long trainRows, Evaluator.Metrics m) {
        if (m == null) {
            out.printf(Locale.ROOT, "trained on %d rows; no test metrics (--test-fraction 0: no test split)%n", trainRows);
        } else if (m.isClassification()) {
            out.printf(Locale.ROOT, "trained on %d rows; test loss %.4f; test accuracy %.4f on %d rows%n", trainRows,
                    m.meanLoss(), m.accuracy(), m.count());
        } else {
            RegressionMetrics t = m.regression();
            out.printf(Locale.ROOT, "trained on %d rows; test MSE %.6g | RMSE %.6g | MAE %.6g | R2 %.4f on %d rows%n",
                    trainRows, t.mse(), t.rmse(), t.mae(), t.r2(), m.count());
        }
    }

    /** Says where a --resume run starts: after which checkpoint, or from scratch when there is none. */
    static ProgressListener resumeReport(PrintStream out, String checkpointDir) {
        return new ProgressListener() {
            @Override
            public void onStart(long firstStep, long totalSteps) {
                if (firstStep > 1) {
                    out.printf(Locale.ROOT, "resumed from the checkpoint of step %d in %s; continuing at step %d/%d%n",
                            firstStep - 1, checkpointDir, firstStep, totalSteps);
                } else {
                    out.printf(Locale.ROOT, "--resume: no checkpoint in %s; starting at step 1/%d%n", checkpointDir, totalSteps);
                }
                out.flush();
            }

            @Override
            public void onStep(StepRecord step, double etaSeconds) {
            }
        };
    }

    /** The job's session; see {@link Cli#session}. */
    static SparkSession session(String appName, String... settings) {
        return Cli.session(appName, settings);
    }

    /** The classes of softmax data without --classes, from its labels (see {@link LabelClasses}). */
    private int inferClasses(DataLoader.Loaded all) {
        int k = LabelClasses.infer(all);
        out.printf(Locale.ROOT, "%d classes, from the labels 0..%d (--classes to set)%n", k, k - 1);
        return k;
    }

    static List<String> bundled(String resource) throws IOException {
        return DataOptions.bundled(resource);
    }
}
