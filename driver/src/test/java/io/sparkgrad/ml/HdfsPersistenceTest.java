package io.sparkgrad.ml;

import io.sparkgrad.spark.LoopbackHdfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.spark.testing.LocalSpark;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A SparkGradModel and a PipelineModel holding one, saved to and loaded from a real in-JVM HDFS. */
@LocalSpark(master = "local[2]")
class HdfsPersistenceTest {
    @TempDir
    static Path base;
    static LoopbackHdfs hdfs;
    static String root;

    @BeforeAll
    static void startHdfs() throws Exception {
        hdfs = LoopbackHdfs.start(base);
        root = hdfs.root();
    }

    @AfterAll
    static void stopHdfs() {
        if (hdfs != null) {
            hdfs.close();
        }
    }

    @Test
    void modelAndPipelineModelRoundTripOnHdfs(SparkSession spark) throws Exception {
        Dataset<Row> df = Blobs.frame(spark, 90, 3, 21, 2).cache();
        PipelineModel pm = new Pipeline().setStages(new PipelineStage[] {
            new SparkGradEstimator().setModel("mlp:6,3").setMaxIter(3).setStepSize(0.05)}).fit(df);
        SparkGradModel m = (SparkGradModel) pm.stages()[0];

        String modelPath = root + "/models/one";
        m.write().save(modelPath);
        FileSystem fs = hdfs.fileSystem();
        assertTrue(fs.exists(new org.apache.hadoop.fs.Path("/models/one/metadata/part-00000")));
        assertTrue(fs.exists(new org.apache.hadoop.fs.Path("/models/one/parameters.sgck")));
        SparkGradModel back = SparkGradModel.load(modelPath);
        assertArrayEquals(m.weights(), back.weights());
        assertEquals(PersistenceTest.bits(m.transform(df)), PersistenceTest.bits(back.transform(df)));

        String pipePath = root + "/models/pipeline";
        pm.write().overwrite().save(pipePath);
        PipelineModel loaded = PipelineModel.load(pipePath);
        assertEquals(PersistenceTest.bits(pm.transform(df)), PersistenceTest.bits(loaded.transform(df)));
        df.unpersist();
    }
}
