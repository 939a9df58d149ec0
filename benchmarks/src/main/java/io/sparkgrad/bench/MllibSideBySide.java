package io.sparkgrad.bench;

import io.sparkgrad.ml.SparkGradEstimator;
import io.sparkgrad.ml.SparkGradModel;
import io.sparkgrad.spark.DataBlock;
import io.sparkgrad.spark.DataParallelTrainer;
import io.sparkgrad.spark.DistributedGradient;
import io.sparkgrad.spark.LossKind;
import io.sparkgrad.spark.ModelSpec;
import io.sparkgrad.spark.PartitionGradient;
import io.sparkgrad.spark.SparkGradConf;
import io.sparkgrad.spark.StepPlan;
import io.sparkgrad.spark.TaskHook;
import io.sparkgrad.spark.TrainingData;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.feature.Instance;
import org.apache.spark.ml.feature.InstanceBlock$;
import org.apache.spark.ml.feature.InstanceBlock;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.optim.aggregator.BinaryLogisticBlockAggregator;
import org.apache.spark.ml.optim.loss.RDDLossFunction;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import scala.Option;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/**
 * SparkGrad against Spark MLlib in one JVM, in alternating rounds, on the same seeded synthetic
 * logistic-regression data (issue 7 §6). Each case prints {@code RATIO,<case>,<median>,<min>,<max>,<rounds>}
 * of ours / MLlib's time over the rounds (lower is better for us), then the machine.
 * <ul>
 *   <li>{@code a} LR gradient pass: {@link DistributedGradient} (logreg, BCE) against MLlib's
 *       {@code RDDLossFunction.calculate} with {@code BinaryLogisticBlockAggregator} over
 *       {@code InstanceBlock}s, the code path {@code LogisticRegression} runs for one loss and
 *       gradient evaluation (binomial, dense, standardised features, no regularisation);</li>
 *   <li>{@code b} fixed cost of a step on {@code fixedRows x fixedDim}: our pass against a raw
 *       {@code treeAggregate} of 128 floats over the same partitions;</li>
 *   <li>{@code c} whole fit from the uncached DataFrame (caching included): our L-BFGS
 *       ({@code lbfgsIter} iterations) against {@code LogisticRegression.setMaxIter(20)}; both
 *       final training losses are printed; then the same with the model in float64
 *       ({@code c_whole_fit_float64}), which is what the estimator's and the CLI's lbfgs run;</li>
 *   <li>{@code d} transform of the cached DataFrame into the noop sink:
 *       {@link SparkGradModel#transform} against {@code LogisticRegressionModel.transform};</li>
 *   <li>{@code e} (not in the default cases) {@link DriverHeap#measure} in this JVM's master:
 *       with {@code local[2]} the executor threads share the driver's heap, so their model
 *       replicas and partition sums count too. The driver alone, the figure issue 7 asks for, is
 *       {@code benchmarks/driver_heap.sh} ({@link DriverHeap#main}, on a local-cluster);</li>
 *   <li>{@code g} loading: {@link ParquetLoad}, a Parquet file of the same rows read into the
 *       cached form each side's first step uses.</li>
 * </ul>
 * Sizes are {@code key=value} arguments (or {@code -Dbench.key=value}): rows=1000000 dim=100
 * parts=8 rounds=3 passes=5 warmup=150 fixedRows=8000 fixedDim=10 fixedPasses=30 lbfgsIter=20
 * heapParams=10000000 cases=abcdg depth=2. From the repository root, after
 * {@code mvn -B -DskipTests package}:
 * <pre>
 * SPARKGRAD_JAVA_OPTS=-Xmx6g ./spark-submit.sh --jars benchmarks/target/benchmarks.jar \
 *     --class io.sparkgrad.bench.MllibSideBySide -- [key=value ...]
 * </pre>
 * A smoke run: {@code rows=4000 dim=10 rounds=2 passes=2 warmup=2 fixedPasses=3 lbfgsIter=3 heapParams=100000}.
 */
public final class MllibSideBySide {
    private MllibSideBySide() {
    }

    public static void main(String[] args) throws Exception {
        SideBySide.parseArgs(args);
        String cases = SideBySide.arg("cases", "abcdg");
        SparkConf conf = SparkGradConf.configure(new SparkConf()).setIfMissing("spark.master", "local[2]")
                .setIfMissing("spark.app.name", "sparkgrad-mllib-side-by-side")
                .set("spark.kryo.registrationRequired", "false"); // MLlib's own classes are not in our registrator
        SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        SideBySide.printEnvironment(sc);
        int rows = SideBySide.arg("rows", 1_000_000);
        int dim = SideBySide.arg("dim", 100);
        int parts = SideBySide.arg("parts", 8);
        if (cases.contains("a")) {
            gradientPass(spark, sc, rows, dim, parts, "a_lr_gradient_pass", SideBySide.arg("passes", 5));
        }
        if (cases.contains("b")) {
            fixedCost(spark, sc, SideBySide.arg("fixedRows", 8000), SideBySide.arg("fixedDim", 10), parts);
        }
        if (cases.contains("c") || cases.contains("d")) {
            fitAndTransform(spark, rows, dim, parts, cases);
        }
        if (cases.contains("e")) {
            DriverHeap.measure(sc, SideBySide.arg("heapParams", 10_000_000), parts);
        }
        if (cases.contains("g")) {
            ParquetLoad.run(spark, frame(spark, rows, dim, parts), SideBySide.arg("rounds", 3));
        }
        SideBySide.printEnvironment(sc);
        spark.stop();
    }

    /** Seeded rows of a logistic model: features N(0,1), label ~ Bernoulli(sigmoid(w.x)), w_j = ((j % 7) - 3) / 10. */
    static double[][] partitionRows(int p, int n, int dim) {
        SplittableRandom r = new SplittableRandom(1000 + p);
        double[][] out = new double[n][];
        for (int i = 0; i < n; i++) {
            double[] x = new double[dim + 1];
            double s = 0;
            for (int j = 0; j < dim; j++) {
                x[j] = r.nextGaussian();
                s += x[j] * ((j % 7) - 3) * 0.1;
            }
            x[dim] = r.nextDouble() < 1 / (1 + Math.exp(-s)) ? 1 : 0;
            out[i] = x;
        }
        return out;
    }

    static JavaRDD<Integer> seeds(JavaSparkContext sc, int parts) {
        List<Integer> ids = new ArrayList<>();
        for (int p = 0; p < parts; p++) {
            ids.add(p);
        }
        return sc.parallelize(ids, parts);
    }

    /** Our blocks: the seeded rows as float DataBlocks of up to 4096 rows. */
    static JavaRDD<DataBlock> ourBlocks(JavaSparkContext sc, int rows, int dim, int parts) {
        int per = rows / parts;
        return seeds(sc, parts).mapPartitionsWithIndex((p, it) -> {
            double[][] xs = partitionRows(p, per, dim);
            List<DataBlock> out = new ArrayList<>();
            for (int start = 0; start < per; start += TrainingData.BLOCK_ROWS) {
                int n = Math.min(TrainingData.BLOCK_ROWS, per - start);
                float[] x = new float[n * dim];
                float[] y = new float[n];
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < dim; j++) {
                        x[i * dim + j] = (float) xs[start + i][j];
                    }
                    y[i] = (float) xs[start + i][dim];
                }
                out.add(new DataBlock(p, start, n, dim, x, y, null));
            }
            return out.iterator();
        }, true);
    }

    /** MLlib's instances: the same rows (as double), blocked as LogisticRegression blocks them (1 MiB blocks). */
    static RDD<InstanceBlock> mllibBlocks(JavaSparkContext sc, int rows, int dim, int parts) {
        int per = rows / parts;
        JavaRDD<Instance> inst = seeds(sc, parts).mapPartitionsWithIndex((p, it) -> {
            double[][] xs = partitionRows(p, per, dim);
            List<Instance> out = new ArrayList<>(per);
            for (double[] x : xs) {
                out.add(new Instance(x[dim], 1.0, Vectors.dense(Arrays.copyOf(x, dim))));
            }
            return out.iterator();
        }, true);
        return InstanceBlock$.MODULE$.blokifyWithMaxMemUsage(inst.rdd(), 1L << 20);
    }

    /** MLlib's aggregator factory, as LogisticRegression builds it (unit std, zero mean: data already standard). */
    static final class Aggregators extends AbstractFunction1<Broadcast<Vector>, BinaryLogisticBlockAggregator>
            implements Serializable {
        private static final long serialVersionUID = 1L;
        private final Broadcast<double[]> inverseStd;
        private final Broadcast<double[]> scaledMean;

        Aggregators(Broadcast<double[]> inverseStd, Broadcast<double[]> scaledMean) {
            this.inverseStd = inverseStd;
            this.scaledMean = scaledMean;
        }

        @Override
        public BinaryLogisticBlockAggregator apply(Broadcast<Vector> coefficients) {
            return new BinaryLogisticBlockAggregator(inverseStd, scaledMean, true, false, coefficients);
        }
    }

    static void gradientPass(SparkSession spark, JavaSparkContext sc, int rows, int dim, int parts, String name,
                             int passes) {
        JavaRDD<DataBlock> ours = ourBlocks(sc, rows, dim, parts).persist(StorageLevel.MEMORY_AND_DISK());
        ours.count();
        RDD<InstanceBlock> theirs = mllibBlocks(sc, rows, dim, parts).persist(StorageLevel.MEMORY_AND_DISK());
        theirs.count();
        ModelSpec spec = ModelSpec.parse("logreg", dim, 1, 1);
        int depth = SideBySide.arg("depth", 2);
        DistributedGradient dg = new DistributedGradient(sc, ours,
                new PartitionGradient(spec, LossKind.BCE_WITH_LOGITS, TaskHook.NONE, 1), depth);
        float[] params = spec.create().trainableParamTuple().flatten();
        StepPlan plan = StepPlan.fullBatch(TrainingData.BLOCK_ROWS);
        double[] ones = new double[dim];
        Arrays.fill(ones, 1);
        RDDLossFunction<InstanceBlock, BinaryLogisticBlockAggregator> loss = new RDDLossFunction<>(theirs,
                new Aggregators(sc.broadcast(ones), sc.broadcast(new double[dim])), Option.empty(), depth,
                ClassTag$.MODULE$.apply(InstanceBlock.class), ClassTag$.MODULE$.apply(BinaryLogisticBlockAggregator.class));
        breeze.linalg.DenseVector<Object> coef = new breeze.linalg.DenseVector$mcD$sp(new double[dim + 1]);
        // both sides' code runs in this JVM's task threads, and a pass runs each task path only
        // parts times, so the JIT takes many passes to settle. Measured (per-thread CPU of this
        // JVM): after 60 passes of ours, C2 still took 55-65% of a core, falling to 15% after 200;
        // with 5 warm-up passes the figure was 219 against 358 ms, with 40 it was 130 against 240
        // (0.51), with 150 it was 111 against 247 (0.46). A fit runs tens to hundreds of passes;
        // the figure is the steady state: warmup passes of each side first.
        SideBySide.alternate(name + "_depth" + depth, SideBySide.arg("rounds", 3), SideBySide.arg("warmup", 150),
                passes,
                () -> dg.compute(params, plan).loss(),
                () -> (Double) loss.calculate(coef)._1());
        ours.unpersist(true);
        theirs.unpersist(true);
    }

    static void fixedCost(SparkSession spark, JavaSparkContext sc, int rows, int dim, int parts) {
        JavaRDD<DataBlock> ours = ourBlocks(sc, rows, dim, parts).persist(StorageLevel.MEMORY_AND_DISK());
        ours.count();
        ModelSpec spec = ModelSpec.parse("logreg", dim, 1, 1);
        int depth = SideBySide.arg("depth", 2);
        DistributedGradient dg = new DistributedGradient(sc, ours,
                new PartitionGradient(spec, LossKind.BCE_WITH_LOGITS, TaskHook.NONE, 1), depth);
        float[] params = spec.create().trainableParamTuple().flatten();
        StepPlan plan = StepPlan.fullBatch(TrainingData.BLOCK_ROWS);
        SideBySide.alternate("b_fixed_cost_depth" + depth, SideBySide.arg("rounds", 3), SideBySide.arg("fixedPasses", 30),
                () -> dg.compute(params, plan).loss(),
                () -> ours.treeAggregate(new float[128], (acc, b) -> {
                    acc[0] += b.rows();
                    return acc;
                }, (x, y) -> {
                    for (int i = 0; i < x.length; i++) {
                        x[i] += y[i];
                    }
                    return x;
                }, depth)[0]);
        ours.unpersist(true);
    }

    static Dataset<Row> frame(SparkSession spark, int rows, int dim, int parts) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int per = rows / parts;
        JavaRDD<Row> rs = seeds(sc, parts).mapPartitionsWithIndex((p, it) -> {
            List<Row> out = new ArrayList<>(per);
            for (double[] x : partitionRows(p, per, dim)) {
                out.add(RowFactory.create(x[dim], Vectors.dense(Arrays.copyOf(x, dim))));
            }
            return out.iterator();
        }, true);
        StructType schema = new StructType().add("label", DataTypes.DoubleType).add("features", new VectorUDT());
        return spark.createDataFrame(rs, schema);
    }

    /**
     * One whole-fit case: our L-BFGS on {@code spec} ({@code iters} iterations, caching included)
     * against {@code LogisticRegression.setMaxIter(20)}, alternating; then both final training losses.
     */
    static void wholeFit(SparkSession spark, Dataset<Row> df, String name, ModelSpec spec, int iters, String label) {
        double[] losses = new double[2];
        SideBySide.alternate(name, SideBySide.arg("rounds", 3), 1, () -> {
            TrainingData data = TrainingData.fromDataset(df, "features", "label", null).cache();
            try {
                DataParallelTrainer.Result r = DataParallelTrainer.builder(spec, LossKind.BCE_WITH_LOGITS)
                        .lbfgs(iters, 10, 1e-6).treeDepth(SideBySide.arg("depth", 2)).build().fit(spark, data);
                losses[0] = r.history().isEmpty() ? Double.NaN : r.history().get(r.history().size() - 1).loss();
            } finally {
                data.unpersist();
            }
            return losses[0];
        }, () -> {
            LogisticRegressionModel m = new LogisticRegression().setMaxIter(20).setRegParam(0).fit(df);
            double[] h = m.summary().objectiveHistory();
            losses[1] = h[h.length - 1];
            return losses[1];
        });
        System.out.printf(Locale.ROOT, "FIT,%sfinal training loss ours=%.8f (%d L-BFGS iterations) mllib=%.8f (20)%n",
                label, losses[0], iters, losses[1]);
    }

    static void fitAndTransform(SparkSession spark, int rows, int dim, int parts, String cases) {
        Dataset<Row> df = frame(spark, rows, dim, parts);
        int iters = SideBySide.arg("lbfgsIter", 20);
        ModelSpec spec = ModelSpec.parse("logreg", dim, 1, 1);
        if (cases.contains("c")) {
            wholeFit(spark, df, "c_whole_fit", spec, iters, "");
            // what the estimator's optimizer=lbfgs and the CLI's --optimizer lbfgs run: the model in float64
            wholeFit(spark, df, "c_whole_fit_float64", spec.withDtype(io.sparkgrad.DType.FLOAT64), iters, "float64 model: ");
        }
        if (cases.contains("d")) {
            Dataset<Row> cached = df.persist(StorageLevel.MEMORY_AND_DISK());
            cached.count();
            SparkGradModel ours = new SparkGradEstimator().setModel("logreg").setLoss("bce_with_logits").setMaxIter(1)
                    .setStandardization(false).fit(cached);
            LogisticRegressionModel theirs = new LogisticRegression().setMaxIter(1).fit(cached);
            SideBySide.alternate("d_transform", SideBySide.arg("rounds", 3), 1, () -> {
                ours.transform(cached).write().format("noop").mode("overwrite").save();
                return 0;
            }, () -> {
                theirs.transform(cached).write().format("noop").mode("overwrite").save();
                return 0;
            });
            cached.unpersist(true);
        }
    }
}
