package io.sparkgrad.examples.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.nn.Adam;
import io.sparkgrad.spark.DataParallelTrainer;
import io.sparkgrad.spark.TrainerBuilder;
import io.sparkgrad.spark.SparkGradConf;
import io.sparkgrad.spark.LossKind;
import io.sparkgrad.spark.ModelSpec;
import io.sparkgrad.spark.ProgressListener;
import io.sparkgrad.spark.Sample;
import io.sparkgrad.spark.StepRecord;
import io.sparkgrad.spark.TrainingData;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * Real multi-JVM runs: Spark's {@code local-cluster[2,1,1024]} starts a Master and a Worker in this
 * JVM and two executor JVMs (on 127.0.0.1), which load SparkGrad from the app jar. Training there
 * gives bit for bit the parameters of a single-JVM {@code local[2]} run, and still does when one
 * executor JVM is killed mid-training. The executor JVMs get {@link SparkGradConf}'s G1 region size.
 */
class LocalClusterIT {
    static final int DIM = 6;
    static final ModelSpec MLP = ModelSpec.parse("mlp:16,3", DIM, 3, 21);

    static List<Sample> rows() {
        SplittableRandom r = new SplittableRandom(99);
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            float[] x = new float[DIM];
            double s = 0;
            for (int j = 0; j < DIM; j++) {
                x[j] = (float) r.nextGaussian();
                s += (j % 3 - 1) * x[j];
            }
            out.add(new Sample(x, s < -0.5 ? 0 : s < 0.5 ? 1 : 2));
        }
        return out;
    }

    static SparkSession session(String master) throws Exception {
        SparkConf conf = SparkGradConf.configure(new SparkConf()).setMaster(master).setAppName("sparkgrad-it")
                .set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.ui.enabled", "false");
        if (master.startsWith("local-cluster")) {
            ItSupport.sparkHome();
            conf.set("spark.jars", ItSupport.appJar().toString())
                    .set("spark.executor.extraJavaOptions", System.getProperty("sparkgrad.addOpens", addOpens()))
                    .set("spark.task.maxFailures", "4");
        }
        return SparkSession.builder().config(conf).getOrCreate();
    }

    static String addOpens() {
        return String.join(" ", java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-opens") || a.startsWith("-Djdk.reflect") || a.startsWith("-Dio.netty")).toList());
    }

    static float[] train(SparkSession spark, ProgressListener listener) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        TrainerBuilder b = DataParallelTrainer.builder(MLP, LossKind.SOFTMAX_CROSS_ENTROPY,
                p -> Adam.builder(p, 0.02).build()).batchSize(100).epochs(3).microBatch(32).seed(5);
        if (listener != null) {
            b.listener(listener);
        }
        return b.build().fit(spark, TrainingData.fromRdd(sc.parallelize(rows(), 4), DIM)).flatParameters();
    }

    /** The executor JVMs this JVM's Worker started. */
    static List<ProcessHandle> executors() {
        return executors(ProcessHandle.current());
    }

    /** The executor JVMs among {@code parent}'s descendants (a local-cluster driver's), by pid. */
    static List<ProcessHandle> executors(ProcessHandle parent) {
        return parent.descendants()
                .filter(p -> p.info().commandLine().map(c -> c.contains("CoarseGrainedExecutorBackend")).orElse(false))
                .sorted(java.util.Comparator.comparingLong(ProcessHandle::pid)).toList();
    }

    @Test
    void multiJvmTrainingMatchesOneJvmAndSurvivesALostExecutor() throws Exception {
        float[] local;
        SparkSession spark = session("local[2]");
        try {
            local = train(spark, null);
        } finally {
            spark.stop();
        }

        spark = session("local-cluster[2,1,1024]");
        try {
            float[] cluster = train(spark, null);
            assertEquals(2, executors().size(), "two executor JVMs");
            for (ProcessHandle e : executors()) { // SparkGradConf's region size for 1 GB executors
                String cmd = e.info().commandLine().orElse("");
                assertTrue(cmd.contains("-XX:G1HeapRegionSize=" + SparkGradConf.EXECUTOR_G1_REGION), cmd);
            }
            assertArrayEquals(local, cluster, "multi-JVM training differs from one JVM");

            AtomicBoolean killed = new AtomicBoolean();
            List<Long> pids = new ArrayList<>();
            ProgressListener killer = (StepRecord s, double eta) -> {
                if (s.step() == 4 && killed.compareAndSet(false, true)) {
                    Optional<ProcessHandle> victim = executors().stream().findFirst();
                    victim.ifPresent(v -> {
                        pids.add(v.pid());
                        v.destroyForcibly();
                    });
                }
            };
            float[] afterLoss = train(spark, killer);
            assertTrue(killed.get() && pids.size() == 1, "an executor JVM was killed at step 4");
            assertTrue(executors().stream().noneMatch(p -> p.pid() == pids.get(0)), "the killed executor is gone");
            assertArrayEquals(local, afterLoss, "training that lost an executor differs");
        } finally {
            spark.stop();
        }
    }
}
