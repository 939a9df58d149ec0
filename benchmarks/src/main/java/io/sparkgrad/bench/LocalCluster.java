package io.sparkgrad.bench;

import io.sparkgrad.spark.SparkGradConf;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * The benchmarks' Spark {@code local-cluster[N,1,MB]}: executors in their own JVMs (a standalone
 * Master and Worker inside the driver's JVM start them), so the driver JVM holds only the driver.
 * Run through {@code benchmarks/local_cluster.sh} (directly or by {@code cluster_scaling.sh} and
 * {@code driver_heap.sh}), which makes the SPARK_HOME the Worker starts executors from and passes
 * the benchmarks jar ({@code -Dsparkgrad.jars}) and the executors' JVM flags
 * ({@code -Dsparkgrad.executorJavaOptions}, the --add-opens list). Used by {@link ClusterScaling}
 * and {@link DriverHeap}.
 */
final class LocalCluster {
    private LocalCluster() {
    }

    /**
     * {@code executors} executor JVMs of one core and {@code mb} MB each, loopback only, no UI, one
     * BLAS thread per executor, and SparkGrad's settings ({@link SparkGradConf}, applied last, as
     * it reads the executors' memory and options).
     */
    static SparkConf conf(int executors, int mb, String appName) {
        return SparkGradConf.configure(new SparkConf().setMaster("local-cluster[" + executors + ",1," + mb + "]")
                .setAppName(appName)
                .set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.ui.enabled", "false")
                .set("spark.executor.memory", mb + "m")
                .set("spark.executorEnv.OPENBLAS_NUM_THREADS", "1")
                .set("spark.executor.extraJavaOptions", System.getProperty("sparkgrad.executorJavaOptions", ""))
                .set("spark.jars", System.getProperty("sparkgrad.jars", "")));
    }

    /** A session on {@code conf} once its {@code executors} executors have registered. */
    static SparkSession start(SparkConf conf, int executors) throws InterruptedException {
        SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        try {
            waitForExecutors(JavaSparkContext.fromSparkContext(spark.sparkContext()), executors);
        } catch (RuntimeException | InterruptedException e) {
            spark.stop();
            throw e;
        }
        return spark;
    }

    /** Blocks until {@code n} executors have registered (a local-cluster starts them asynchronously). */
    static void waitForExecutors(JavaSparkContext sc, int n) throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (sc.sc().getExecutorMemoryStatus().size() - 1 < n) { // the map counts the driver too
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + (sc.sc().getExecutorMemoryStatus().size() - 1) + " of " + n
                        + " executors registered in 120 s");
            }
            Thread.sleep(200);
        }
    }
}
