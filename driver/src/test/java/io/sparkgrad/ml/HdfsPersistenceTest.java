package io.sparkgrad.ml;

import io.sparkgrad.spark.LoopbackHdfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.spark.testing.LocalSpark;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.param.Param;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A SparkGradModel, a PipelineModel holding one, and an unfitted Pipeline holding a
 * SparkGradEstimator, saved to and loaded from a real in-JVM HDFS.
 */
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

    /**
     * Every param of {@code stage} by name: "set" or "default" and its value (arrays as lists), or
     * "undefined" (neither set nor with a default).
     */
    static Map<String, String> params(PipelineStage stage) {
        Map<String, String> out = new TreeMap<>();
        for (Param<?> p : stage.params()) {
            if (!stage.isDefined(p)) {
                out.put(p.name(), "undefined");
                continue;
            }
            Object v = stage.getOrDefault(p);
            String value = v instanceof Object[] a ? Arrays.asList(a).toString()
                    : v instanceof double[] d ? Arrays.toString(d) : String.valueOf(v);
            out.put(p.name(), (stage.isSet(p) ? "set " : "default ") + value);
        }
        return out;
    }

    @Test
    void anUnfittedPipelineRoundTripsOnHdfsAndTheLoadedOneFitsBitwiseTheSameModel(SparkSession spark) throws Exception {
        Dataset<Row> df = Blobs.frame(spark, 120, 3, 23, 2).cache();
        Pipeline original = new Pipeline().setStages(new PipelineStage[] {
            new StandardScaler().setInputCol("features").setOutputCol("scaled").setWithMean(true),
            new SparkGradEstimator().setFeaturesCol("scaled").setWeightCol("w").setModel("mlp:5,3").setMaxIter(4)
                    .setBatchSize(40).setStepSize(0.05).setRegParam(0.001).setStandardization(false).setSeed(9)});
        String path = root + "/pipelines/unfitted";
        original.write().save(path);
        FileSystem fs = hdfs.fileSystem();
        assertTrue(Arrays.stream(fs.listStatus(new org.apache.hadoop.fs.Path("/pipelines/unfitted/metadata")))
                .anyMatch(f -> f.getPath().getName().startsWith("part-") && f.getLen() > 0), "Spark's metadata JSON");
        assertEquals(2, fs.listStatus(new org.apache.hadoop.fs.Path("/pipelines/unfitted/stages")).length);

        Pipeline loaded = Pipeline.load(path);
        assertEquals(original.uid(), loaded.uid());
        PipelineStage[] before = original.getStages();
        PipelineStage[] after = loaded.getStages();
        assertEquals(2, after.length);
        for (int i = 0; i < before.length; i++) {
            assertEquals(before[i].getClass(), after[i].getClass());
            assertEquals(before[i].uid(), after[i].uid());
            assertEquals(params(before[i]), params(after[i]), "the params of stage " + i);
        }
        // the comparison sees the values set above, and the defaults as defaults
        Map<String, String> est = params(after[1]);
        assertEquals("set mlp:5,3", est.get("model"));
        assertEquals("set 40", est.get("batchSize"));
        assertEquals("set w", est.get("weightCol"));
        assertEquals("set false", est.get("standardization"));
        assertEquals("default adam", est.get("optimizer"));
        assertEquals("undefined", est.get("validationIndicatorCol"));
        assertEquals(List.of("set true", "set scaled"), List.of(params(after[0]).get("withMean"), params(after[0]).get("outputCol")));

        List<Long> fromOriginal = PersistenceTest.bits(original.fit(df).transform(df));
        List<Long> fromLoaded = PersistenceTest.bits(loaded.fit(df).transform(df));
        assertEquals(120 * 7, fromOriginal.size()); // rawPrediction (3), probability (3), prediction
        assertEquals(fromOriginal, fromLoaded);
        df.unpersist();
    }
}
