package io.sparkgrad.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.spark.checkpoint.Checkpoint;
import io.sparkgrad.spark.checkpoint.CheckpointCodec;
import io.sparkgrad.spark.testing.LocalSpark;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.functions;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Save and load on file://: a model, an estimator, and Pipelines holding them, each loaded back
 * giving bitwise the same predictions; the files are Spark metadata JSON and a SparkGrad checkpoint.
 */
@LocalSpark(master = "local[2]")
class PersistenceTest {
    @TempDir
    Path tmp;

    /** Every output value of {@code m.transform(df)}, as raw bits, in row order. */
    static List<Long> bits(Dataset<Row> transformed) {
        List<Long> out = new ArrayList<>();
        for (Row r : transformed.select("rawPrediction", "probability", "prediction").collectAsList()) {
            for (int c = 0; c < 2; c++) {
                for (double v : r.<Vector>getAs(c).toArray()) {
                    out.add(Double.doubleToRawLongBits(v));
                }
            }
            out.add(Double.doubleToRawLongBits(r.getDouble(2)));
        }
        return out;
    }

    @Test
    void modelRoundTripsBitwiseAndIsACheckpointPlusSparkMetadata(SparkSession spark) throws Exception {
        Dataset<Row> df = Blobs.frame(spark, 120, 3, 11, 2).cache();
        SparkGradModel m = new SparkGradEstimator().setModel("mlp:8,3").setMaxIter(5).setStepSize(0.05).setSeed(3)
                .fit(df).setProbabilityCol("p");
        String path = tmp.resolve("model").toUri().toString();
        m.save(path);
        SparkGradModel back = SparkGradModel.load(path);

        assertEquals(m.uid(), back.uid());
        assertArrayEquals(m.weights(), back.weights());
        assertArrayEquals(m.mean(), back.mean(), 0.0);
        assertArrayEquals(m.std(), back.std(), 0.0);
        assertEquals("p", back.getProbabilityCol());
        assertEquals("mlp:8,3", back.getModel());
        assertEquals(0.05, back.getStepSize());
        assertTrue(back.isSet(back.stepSize()));
        assertFalse(back.isSet(back.batchSize()));
        assertEquals(3, back.numClasses());
        assertTrue(m.hasSummary());
        assertFalse(back.hasSummary());
        m.setProbabilityCol("probability");
        back.setProbabilityCol("probability");
        assertEquals(bits(m.transform(df)), bits(back.transform(df)));

        // Spark's metadata layout, and SparkGrad's checkpoint format for the parameters
        String json = Files.readString(tmp.resolve("model/metadata/part-00000"), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"class\":\"io.sparkgrad.ml.SparkGradModel\""), json);
        assertTrue(json.contains("\"paramMap\":{") && json.contains("\"defaultParamMap\":{"), json);
        assertTrue(json.contains("\"stepSize\":0.05"), json);
        Checkpoint cp = CheckpointCodec.decode(Files.readAllBytes(tmp.resolve("model/parameters.sgck")), "saved");
        assertArrayEquals(m.weights(), cp.values());
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), cp.paramNames());

        // MLWriter's overwrite rule
        assertThrows(java.io.IOException.class, () -> m.save(path));
        m.write().overwrite().save(path);
        assertArrayEquals(m.weights(), SparkGradModel.load(path).weights());
        assertThrows(IllegalArgumentException.class, () -> SparkGradEstimator.load(path));

        // a damaged parameter file is refused, not loaded
        Path params = tmp.resolve("model/parameters.sgck");
        byte[] b = Files.readAllBytes(params);
        b[b.length / 2] ^= 1;
        Files.write(params, b);
        Exception bad = assertThrows(Exception.class, () -> SparkGradModel.load(path));
        assertTrue(String.valueOf(bad.getMessage()).contains("parameters.sgck")
                || String.valueOf(bad.getCause()).contains("parameters.sgck"), String.valueOf(bad));
        df.unpersist();
    }

    @Test
    void aFloat64LbfgsModelRoundTripsWithItsDtype(SparkSession spark) throws Exception {
        Dataset<Row> df = Blobs.frame(spark, 90, 3, 12, 2).cache();
        SparkGradModel m = new SparkGradEstimator().setOptimizer("lbfgs").setMaxIter(10).setRegParam(0.01).fit(df);
        assertEquals(io.sparkgrad.DType.FLOAT64, m.spec().dtype());
        String path = tmp.resolve("lbfgs").toUri().toString();
        m.save(path);
        String json = Files.readString(tmp.resolve("lbfgs/metadata/part-00000"), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"dtype\":\"FLOAT64\""), json);
        SparkGradModel back = SparkGradModel.load(path);
        assertEquals(io.sparkgrad.DType.FLOAT64, back.spec().dtype());
        assertEquals(bits(m.transform(df)), bits(back.transform(df)));
        // a model saved before the dtype field (no "dtype" key) reads as FLOAT32
        SparkGradModel f32 = new SparkGradEstimator().setMaxIter(2).fit(df);
        String old = tmp.resolve("old").toUri().toString();
        f32.save(old);
        Path meta = tmp.resolve("old/metadata/part-00000");
        Files.writeString(meta, Files.readString(meta).replace(",\"dtype\":\"FLOAT32\"", ""));
        Files.delete(meta.resolveSibling(".part-00000.crc")); // Hadoop's local checksum of the old bytes
        assertFalse(Files.readString(meta).contains("dtype"));
        assertEquals(io.sparkgrad.DType.FLOAT32, SparkGradModel.load(old).spec().dtype());
        df.unpersist();
    }

    @Test
    void pipelineAndPipelineModelRoundTripWithSparkGradInside(SparkSession spark) throws Exception {
        Dataset<Row> df = Blobs.frame(spark, 120, 2, 12, 2)
                .withColumn("arr", functions.vector_to_array(org.apache.spark.sql.functions.col("features"), "float64"))
                .selectExpr("arr[0] as a", "arr[1] as b", "arr[2] as c", "label").cache();
        Pipeline p = new Pipeline().setStages(new PipelineStage[] {
            new VectorAssembler().setInputCols(new String[] {"a", "b", "c"}).setOutputCol("f"),
            new SparkGradEstimator().setFeaturesCol("f").setModel("logreg").setMaxIter(4).setStepSize(0.1)});
        String pipePath = tmp.resolve("pipeline").toUri().toString();
        p.write().overwrite().save(pipePath);
        Pipeline p2 = Pipeline.load(pipePath);
        SparkGradEstimator est = assertInstanceOf(SparkGradEstimator.class, p2.getStages()[1]);
        assertEquals("f", est.getFeaturesCol());
        assertEquals(4, est.getMaxIter());
        assertEquals(p.getStages()[1].uid(), est.uid());

        PipelineModel fitted = p2.fit(df);
        String modelPath = tmp.resolve("pipeline-model").toUri().toString();
        fitted.write().overwrite().save(modelPath);
        PipelineModel loaded = PipelineModel.load(modelPath);
        SparkGradModel sg = assertInstanceOf(SparkGradModel.class, loaded.stages()[1]);
        assertEquals("f", sg.getFeaturesCol());
        assertEquals(bits(fitted.transform(df)), bits(loaded.transform(df)));
        assertEquals(120, bits(loaded.transform(df)).size() / 5);
        df.unpersist();
    }
}
