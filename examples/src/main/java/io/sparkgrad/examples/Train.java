package io.sparkgrad.examples;

import io.sparkgrad.nn.Adam;
import io.sparkgrad.nn.AdamW;
import io.sparkgrad.nn.SGD;
import io.sparkgrad.spark.BadDataException;
import io.sparkgrad.spark.DataLoader;
import io.sparkgrad.spark.DataParallelTrainer;
import io.sparkgrad.spark.Evaluator;
import io.sparkgrad.spark.LearningRateSchedule;
import io.sparkgrad.spark.LossKind;
import io.sparkgrad.spark.MetricsListener;
import io.sparkgrad.spark.ModelSpec;
import io.sparkgrad.spark.NonFiniteStepException;
import io.sparkgrad.spark.OptimizerFactory;
import io.sparkgrad.spark.ProgressListener;
import io.sparkgrad.spark.TrainingData;
import io.sparkgrad.spark.KryoCheck;
import io.sparkgrad.spark.TrainerConfig;
import io.sparkgrad.spark.checkpoint.Checkpoint;
import io.sparkgrad.spark.checkpoint.CheckpointDirectoryException;
import io.sparkgrad.spark.checkpoint.CheckpointStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.zip.GZIPInputStream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The training job users run with {@code ./spark-submit.sh}. With no options it trains an MLP on
 * the bundled digits data set (1797 8x8 images, UCI; see the data README) on a fixed 80/20 split
 * in local mode, printing progress and the final test accuracy.
 *
 * <pre>
 *   ./spark-submit.sh                                   # the default: digits, mlp:64,10
 *   ./spark-submit.sh --data hdfs://nn/data/bc.csv --header --model logreg --loss bce --epochs 50
 *   ./spark-submit.sh --master spark://127.0.0.1:7077 --partitions 8
 * </pre>
 */
@Command(name = "sparkgrad-train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Data-parallel training of a SparkGrad model on Spark.")
public final class Train implements Callable<Integer> {
    static final String DIGITS = "io/sparkgrad/examples/data/digits.csv.gz";

    @Option(names = "--data", description = "Training data: any Hadoop path (file://, hdfs://). Default: the bundled digits data set.")
    String data;

    @Option(names = "--format", defaultValue = "csv", description = "csv | libsvm | parquet (default: ${DEFAULT-VALUE})")
    String format;

    @Option(names = "--header", description = "CSV files start with a header line")
    boolean header;

    @Option(names = "--num-features", defaultValue = "-1", description = "Feature count (default: from the first line)")
    int numFeatures;

    @Option(names = "--label-column", defaultValue = "-1", description = "CSV: the label's field, 0-based; negative counts from the end (default: ${DEFAULT-VALUE}, the last)")
    int labelColumn;

    @Option(names = "--features-col", defaultValue = "features", description = "Parquet: the features column, a vector or an array (default: ${DEFAULT-VALUE})")
    String featuresCol;

    @Option(names = "--label-col", defaultValue = "label", description = "Parquet: the label column (default: ${DEFAULT-VALUE})")
    String labelCol;

    @Option(names = "--weight-col", description = "Parquet: a per-sample weight column, used as a per-sample sens (default: none)")
    String weightCol;

    @Option(names = "--model", defaultValue = "mlp:64,10", description = "logreg | mlp:W1,...,OUT (default: ${DEFAULT-VALUE})")
    String model;

    @Option(names = "--loss", defaultValue = "softmax", description = "softmax | bce | mse (default: ${DEFAULT-VALUE})")
    String loss;

    @Option(names = "--classes", defaultValue = "-1", description = "Classes for logreg with softmax (default: max label + 1)")
    int classes;

    @Option(names = "--epochs", defaultValue = "30", description = "Passes over the data (default: ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "128", description = "Rows per step, 0 for full batch (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--lr", defaultValue = "0.005", description = "Learning rate (default: ${DEFAULT-VALUE})")
    double lr;

    @Option(names = "--optimizer", defaultValue = "adam", description = "adam | adamw | sgd (default: ${DEFAULT-VALUE})")
    String optimizer;

    @Option(names = "--momentum", defaultValue = "0.9", description = "SGD momentum (default: ${DEFAULT-VALUE})")
    double momentum;

    @Option(names = "--weight-decay", defaultValue = "0", description = "Weight decay (default: ${DEFAULT-VALUE})")
    double weightDecay;

    @Option(names = "--schedule", defaultValue = "constant", description = "constant | step:EVERY:GAMMA | cosine[:WARMUP]")
    String schedule;

    @Option(names = "--clip", defaultValue = "0", description = "Clip gradients to this global norm, 0 = off")
    double clip;

    @Option(names = "--partitions", defaultValue = "4", description = "Data partitions (default: ${DEFAULT-VALUE})")
    int partitions;

    @Option(names = "--tree-depth", defaultValue = "2", description = "Depth of the gradient reduction tree (default: ${DEFAULT-VALUE})")
    int treeDepth;

    @Option(names = "--micro-batch", defaultValue = "512", description = "Rows per engine call in a partition")
    int microBatch;

    @Option(names = "--test-fraction", defaultValue = "0.2", description = "Held-out fraction for the test accuracy (default: ${DEFAULT-VALUE})")
    double testFraction;

    @Option(names = "--no-standardize", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Scale features to zero mean, unit variance using training statistics (default: on)")
    boolean standardize;

    @Option(names = "--seed", defaultValue = "42", description = "Seed for the split, initialisation and shuffling")
    long seed;

    @Option(names = "--checkpoint-dir", description = "Where to write checkpoints (any Hadoop path)")
    String checkpointDir;

    @Option(names = "--checkpoint-every", defaultValue = "50", description = "Steps between checkpoints")
    int checkpointEvery;

    @Option(names = "--resume", description = "Continue from the latest checkpoint in --checkpoint-dir")
    boolean resume;

    @Option(names = "--keep-checkpoints", defaultValue = "" + TrainerConfig.DEFAULT_KEEP_CHECKPOINTS,
            description = "Checkpoints to keep, the newest; older ones are deleted once a new one is safely written, 0 keeps all (default: ${DEFAULT-VALUE})")
    int keepCheckpoints;

    @Option(names = "--output", description = "Directory for the trained model, metrics.csv and loss.png (default: runs/<date-time>)")
    String output;

    @Option(names = "--log-every", defaultValue = "1", description = "Print every Nth step (default: ${DEFAULT-VALUE}, every step)")
    int logEvery;

    private final PrintStream out;

    Train(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        // The process starts here: it draws its loss chart off screen and never opens a window.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        System.exit(run(System.out, args));
    }

    /** Runs the job; returns the exit code. */
    public static int run(PrintStream out, String... args) {
        CommandLine cl = new CommandLine(new Train(out));
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            BadDataException bad = BadDataException.find(e);
            if (bad != null || e instanceof NonFiniteStepException || e instanceof IllegalArgumentException
                    || e instanceof CheckpointDirectoryException) {
                cmd.getErr().println("error: " + (bad != null ? bad : e).getMessage());
                return 2;
            }
            throw e;
        });
        return cl.execute(args);
    }

    /** The outcome, for tests. */
    record Outcome(double testAccuracy, double testLoss, long trainRows, long testRows) {
    }

    Outcome last;

    @Override
    public Integer call() throws IOException {
        if (output == null) {
            output = "runs/" + java.time.LocalDateTime.now().format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        }
        SparkSession spark = session("sparkgrad-train");
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        KryoCheck.verify();
        if (weightCol != null && !"parquet".equalsIgnoreCase(format)) {
            throw new IllegalArgumentException("--weight-col needs --format parquet");
        }
        DataLoader.Options opt = new DataLoader.Options(header, labelColumn, numFeatures, featuresCol, labelCol, weightCol);
        DataLoader.Loaded all = data == null
                ? DataLoader.fromLines(sc, bundled(DIGITS), "classpath:" + DIGITS, DataLoader.Format.CSV, opt, partitions)
                : DataLoader.load(spark, data, DataLoader.Format.parse(format), opt, partitions);
        DataLoader.Loaded[] split = all.split(new double[] {1 - testFraction, testFraction}, seed);
        DataLoader.Loaded train = split[0].repartition(partitions);
        DataLoader.Loaded test = split[1];
        if (standardize) {
            Standardizer z = Standardizer.fit(train.samples(), all.dim());
            train = new DataLoader.Loaded(z.apply(train.samples()), train.dim(), train.source(), train.weighted());
            test = new DataLoader.Loaded(z.apply(test.samples()), test.dim(), test.source(), test.weighted());
        }
        TrainingData trainData = train.pack().cache();
        TrainingData testData = test.pack().cache();
        LossKind lossKind = lossKind(loss);
        int outputs = lossKind == LossKind.SOFTMAX_CROSS_ENTROPY
                ? (classes > 0 ? classes : maxLabel(trainData) + 1) : 1;
        ModelSpec spec = ModelSpec.parse(model, all.dim(), outputs, seed);
        out.printf(Locale.ROOT, "SparkGrad: %s, %d features, model %s, loss %s, %s, master %s%n", all.source(), all.dim(),
                spec.text(), lossKind, optimizer, spark.sparkContext().master());
        DataParallelTrainer.Builder b = DataParallelTrainer.builder(spec, lossKind, optimizerFactory())
                .epochs(epochs).microBatch(microBatch).treeDepth(treeDepth).seed(seed)
                .schedule(LearningRateSchedule.parse(schedule)).clipGlobalNorm(clip)
                .validation(testData).modelDescription(spec.toString())
                .listener(ProgressListener.console(out, Math.max(1, logEvery)))
                .listener(new MetricsListener(output + "/metrics.csv", output + "/loss.png", sc.hadoopConfiguration()));
        if (batchSize > 0) {
            b.batchSize(batchSize);
        }
        if (checkpointDir != null) {
            b.checkpoints(checkpointDir, checkpointEvery).resume(resume).keepCheckpoints(keepCheckpoints);
        }
        DataParallelTrainer.Result r = b.build().fit(spark, trainData);
        Evaluator.Metrics m = Evaluator.evaluate(sc, testData, spec, lossKind, r.flatParameters(), microBatch);
        new CheckpointStore(output + "/model", sc.hadoopConfiguration()).write(Checkpoint.of(
                r.optimizer().stepCount(), r.history().isEmpty() ? 0 : r.history().get(r.history().size() - 1).epoch(),
                seed, spec.toString(), r.parameters(), r.optimizer().exportState()));
        last = new Outcome(m.accuracy(), m.meanLoss(), r.rows(), m.count());
        out.printf(Locale.ROOT, "trained on %d rows; test loss %.4f", r.rows(), m.meanLoss());
        if (lossKind.isClassification()) {
            out.printf(Locale.ROOT, "; test accuracy %.4f on %d rows%n", m.accuracy(), m.count());
        } else {
            out.println();
        }
        out.printf("model, metrics.csv and loss.png written to %s%n", output);
        out.flush();
        return 0;
    }

    /**
     * The job's session: spark-submit's settings, else local[2] bound to loopback; Kryo configured
     * for SparkGrad, then {@code settings} ({@code key=value}) over those.
     */
    static SparkSession session(String appName, String... settings) {
        SparkConf conf = KryoCheck.configure(new SparkConf());
        for (String kv : settings) {
            int eq = kv.indexOf('=');
            conf.set(kv.substring(0, eq), kv.substring(eq + 1));
        }
        if (!conf.contains("spark.master")) {
            conf.setMaster("local[2]");
        }
        if (conf.get("spark.master").startsWith("local")) {
            conf.setIfMissing("spark.driver.host", "127.0.0.1").setIfMissing("spark.driver.bindAddress", "127.0.0.1");
        }
        conf.setIfMissing("spark.app.name", appName);
        return SparkSession.builder().config(conf).getOrCreate();
    }

    private OptimizerFactory optimizerFactory() {
        String o = optimizer.toLowerCase(Locale.ROOT);
        double l = lr;
        double wd = weightDecay;
        double mom = momentum;
        switch (o) {
            case "adam":
                return p -> Adam.builder(p, l).weightDecay(wd).build();
            case "adamw":
                return p -> AdamW.builder(p, l).weightDecay(wd).build();
            case "sgd":
                return p -> SGD.builder(p, l).momentum(mom).weightDecay(wd).build();
            default:
                throw new IllegalArgumentException("unknown optimizer '" + optimizer + "': expected adam, adamw or sgd");
        }
    }

    static LossKind lossKind(String s) {
        switch (s.toLowerCase(Locale.ROOT)) {
            case "softmax":
                return LossKind.SOFTMAX_CROSS_ENTROPY;
            case "bce":
                return LossKind.BCE_WITH_LOGITS;
            case "mse":
                return LossKind.MSE;
            default:
                throw new IllegalArgumentException("unknown loss '" + s + "': expected softmax, bce or mse");
        }
    }

    private static int maxLabel(TrainingData d) {
        return d.blocks().map(b -> {
            float max = 0;
            for (float v : b.labels()) {
                max = Math.max(max, v);
            }
            return (int) max;
        }).fold(0, Math::max);
    }

    static List<String> bundled(String resource) throws IOException {
        InputStream in = Train.class.getClassLoader().getResourceAsStream(resource);
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
