package io.sparkgrad.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.spark.testing.LocalSpark;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
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
    static MiniDFSCluster hdfs;
    static String root;

    @BeforeAll
    static void startHdfs() throws Exception {
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.toString());
        for (String key : new String[] {"dfs.datanode.address", "dfs.datanode.http.address", "dfs.datanode.ipc.address",
                                        "dfs.namenode.http-address", "dfs.namenode.secondary.http-address"}) {
            conf.set(key, "127.0.0.1:0");
        }
        conf.set("dfs.namenode.rpc-bind-host", "127.0.0.1");
        conf.set("dfs.namenode.servicerpc-bind-host", "127.0.0.1");
        conf.set("dfs.namenode.http-bind-host", "127.0.0.1");
        hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        hdfs.waitActive();
        root = "hdfs://127.0.0.1:" + hdfs.getNameNodePort();
    }

    @AfterAll
    static void stopHdfs() {
        if (hdfs != null) {
            hdfs.shutdown();
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
        FileSystem fs = FileSystem.get(java.net.URI.create(root), hdfs.getConfiguration(0));
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
