package io.sparkgrad.bench;

import io.sparkgrad.spark.DataBlock;
import io.sparkgrad.spark.DistributedGradient;
import io.sparkgrad.spark.GradientSum;
import io.sparkgrad.spark.LossKind;
import io.sparkgrad.spark.ModelSpec;
import io.sparkgrad.spark.PartitionGradient;
import io.sparkgrad.spark.SparkGradConf;
import io.sparkgrad.spark.StepPlan;
import io.sparkgrad.spark.TaskHook;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * Times one distributed gradient pass of logistic regression (BCE) over {@code rows x features}
 * in {@code partitions} cached partitions: the figure that MLlib's {@code LogisticRegression} is
 * compared by in {@code BENCHMARKS.md} (1M x 100, 8 partitions, {@code local[2]}). Data is
 * generated on the executors from a seed; it is a benchmark, not a test.
 *
 * <p>It runs on Spark with the driver from the examples' application jar; build both jars
 * ({@code mvn -B -DskipTests package}), then from the repository root:
 * <pre>
 * OPENBLAS_NUM_THREADS=1 ./spark-submit.sh --jars benchmarks/target/benchmarks.jar \
 *     --class io.sparkgrad.bench.StepTiming --driver-memory 4g -- [rows features partitions passes microBatch depth]
 * </pre>
 * Defaults: 1000000 100 8 20 4096 2.
 */
public final class StepTiming {
    private StepTiming() {
    }

    public static void main(String[] args) {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int dim = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int parts = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        int passes = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        int micro = args.length > 4 ? Integer.parseInt(args[4]) : 4096;
        int depth = args.length > 5 ? Integer.parseInt(args[5]) : 2;
        SparkConf conf = SparkGradConf.configure(new SparkConf()).setIfMissing("spark.master", "local[2]")
                .setIfMissing("spark.app.name", "sparkgrad-step-timing");
        SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int per = rows / parts;
        List<Integer> ids = new ArrayList<>();
        for (int p = 0; p < parts; p++) {
            ids.add(p);
        }
        JavaRDD<DataBlock> blocks = sc.parallelize(ids, parts).mapPartitionsWithIndex((p, it) -> {
            SplittableRandom r = new SplittableRandom(1000 + p);
            List<DataBlock> out = new ArrayList<>();
            for (int start = 0; start < per; start += 4096) {
                int n = Math.min(4096, per - start);
                float[] x = new float[n * dim];
                float[] y = new float[n];
                for (int i = 0; i < n; i++) {
                    double s = 0;
                    for (int j = 0; j < dim; j++) {
                        float v = (float) r.nextGaussian();
                        x[i * dim + j] = v;
                        s += v * ((j % 7) - 3) * 0.1;
                    }
                    y[i] = r.nextDouble() < 1 / (1 + Math.exp(-s)) ? 1 : 0;
                }
                out.add(new DataBlock(p, start, n, dim, x, y, null));
            }
            return out.iterator();
        }, true).cache();
        blocks.count();
        ModelSpec spec = ModelSpec.parse("logreg", dim, 1, 1);
        DistributedGradient dg = new DistributedGradient(sc, blocks,
                new PartitionGradient(spec, LossKind.BCE_WITH_LOGITS, TaskHook.NONE, 1), depth);
        float[] params = spec.create().trainableParamTuple().flatten();
        StepPlan plan = StepPlan.fullBatch(micro);
        for (int i = 0; i < 10; i++) { // warm-up: Spark's first jobs and the JIT
            dg.compute(params, plan);
        }
        double[] ms = new double[passes];
        GradientSum last = null;
        for (int i = 0; i < passes; i++) {
            long t0 = System.nanoTime();
            last = dg.compute(params, plan);
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        System.out.printf(Locale.ROOT, "gradient pass, %d x %d, %d partitions, micro-batch %d, depth %d, %s: "
                        + "median %.1f ms, min %.1f, max %.1f (%d passes; %d rows, mean loss %.6f)%n",
                rows, dim, parts, micro, depth, sc.master(), ms[passes / 2], ms[0], ms[passes - 1], passes,
                last.count(), last.loss() / last.weight());
        spark.stop();
    }
}
