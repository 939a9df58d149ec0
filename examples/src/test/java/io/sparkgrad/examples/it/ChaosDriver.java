package io.sparkgrad.examples.it;

import io.sparkgrad.nn.Adam;
import io.sparkgrad.spark.DataParallelTrainer;
import io.sparkgrad.spark.SparkGradConf;
import io.sparkgrad.spark.TrainerBuilder;
import io.sparkgrad.spark.LossKind;
import io.sparkgrad.spark.TrainingData;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * The driver JVM of {@link ChaosSoakIT}: trains {@link LocalClusterIT}'s model and data with
 * checkpoints, on {@code local-cluster[2,1,1024]} (two executor JVMs, its children) or in
 * {@code local[2]}, printing {@code step N} after every step so the test can time its kills, and
 * {@code done} at the end. Arguments: master, checkpoint directory, epochs, {@code resume} or
 * {@code fresh}.
 */
public final class ChaosDriver {
    static final int BATCH = 30;
    static final int CHECKPOINT_EVERY = 10;

    private ChaosDriver() {
    }

    static TrainerBuilder trainer(int epochs) {
        return DataParallelTrainer.builder(LocalClusterIT.MLP, LossKind.SOFTMAX_CROSS_ENTROPY,
                p -> Adam.builder(p, 0.02).build()).batchSize(BATCH).epochs(epochs).microBatch(32).seed(5);
    }

    static float[] train(SparkSession spark, TrainerBuilder b) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        return b.build().fit(spark, TrainingData.fromRdd(sc.parallelize(LocalClusterIT.rows(), 4), LocalClusterIT.DIM))
                .flatParameters();
    }

    /** A loopback session; on local-cluster, tasks may fail often (every executor kill fails some). */
    static SparkSession session(String master) throws Exception {
        SparkConf conf = SparkGradConf.configure(new SparkConf()).setMaster(master).setAppName("sparkgrad-chaos")
                .set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.ui.enabled", "false");
        if (master.startsWith("local-cluster")) {
            ItSupport.sparkHome();
            conf.set("spark.jars", ItSupport.appJar().toString())
                    .set("spark.executor.extraJavaOptions", LocalClusterIT.addOpens())
                    .set("spark.task.maxFailures", "1000")
                    .set("spark.deploy.maxExecutorRetries", "-1")
                    .set("spark.stage.maxConsecutiveAttempts", "1000");
        }
        return SparkSession.builder().config(conf).getOrCreate();
    }

    public static void main(String[] args) throws Exception {
        String master = args[0];
        String dir = args[1];
        int epochs = Integer.parseInt(args[2]);
        boolean resume = args[3].equals("resume");
        SparkSession spark = session(master);
        try {
            train(spark, trainer(epochs).checkpoints(dir, CHECKPOINT_EVERY).resume(resume).keepCheckpoints(3)
                    .listener((s, eta) -> {
                        System.out.println("step " + s.step());
                        System.out.flush();
                    }));
            System.out.println("done");
            System.out.flush();
        } finally {
            spark.stop();
        }
        System.exit(0);
    }
}
