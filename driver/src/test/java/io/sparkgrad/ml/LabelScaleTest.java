package io.sparkgrad.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.spark.LossKind;
import io.sparkgrad.spark.ModelSpec;
import io.sparkgrad.spark.testing.LocalSpark;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A regression model's label scale (the target standardisation a trainer may apply): undone in
 * predict and transform, saved in the metadata and read back; a model saved without the field
 * reads back as the identity; the feature standardisation of {@link SparkGradModel#fromTraining}.
 */
@LocalSpark(master = "local[2]")
class LabelScaleTest {
    @TempDir
    Path tmp;

    private static final float[] WEIGHTS = {0.5f, -1.25f, 2f, 0.75f}; // logreg on 3 features: weight [1,3], bias

    private static SparkGradModel model(LabelScale s, Standardization z) {
        return SparkGradModel.fromTraining(ModelSpec.parse("logreg", 3, 1, 7), WEIGHTS, LossKind.MSE, z, s);
    }

    @Test
    void predictionsAreInTheLabelsUnitsAndTheScaleRoundTrips(SparkSession spark) throws Exception {
        Vector x = Vectors.dense(1, 2, -3);
        double z = model(LabelScale.IDENTITY, null).predict(x);
        assertEquals(0.5 - 2.5 - 6 + 0.75, z, 1e-6);
        SparkGradModel scaled = model(new LabelScale(10, 2), null);
        assertEquals(z * 2 + 10, scaled.predict(x), 0.0);

        String path = tmp.resolve("m").toUri().toString();
        scaled.write().save(path);
        SparkGradModel back = SparkGradModel.load(path, new org.apache.hadoop.conf.Configuration());
        assertEquals(new LabelScale(10, 2), back.labelScale());
        assertEquals(LossKind.MSE, back.lossKind());
        StructType schema = new StructType().add("features", SQLDataTypes.VectorType());
        List<Row> rows = back.transform(spark.createDataFrame(List.of(RowFactory.create(x)), schema))
                .select("prediction").collectAsList();
        assertEquals(z * 2 + 10, rows.get(0).getDouble(0), 0.0);

        // an older model's metadata has no labelScale: the identity
        Path meta = tmp.resolve("m/metadata/part-00000");
        String json = Files.readString(meta, StandardCharsets.UTF_8);
        assertTrue(json.contains("\"labelScale\":{\"mean\":10.0,\"std\":2.0}"), json);
        Files.deleteIfExists(meta.resolveSibling(".part-00000.crc")); // the local file system's checksum of the old text
        Files.writeString(meta, json.replace(",\"labelScale\":{\"mean\":10.0,\"std\":2.0}", ""));
        SparkGradModel old = SparkGradModel.load(path, new org.apache.hadoop.conf.Configuration());
        assertEquals(LabelScale.IDENTITY, old.labelScale());
        assertEquals(z, old.predict(x), 0.0);
    }

    /**
     * A model made from a CLI run carries its loss as the {@code loss} param, so {@code transform}
     * (which reads the param) adds a regressor's one column, not a classifier's three; also after
     * a save and load.
     */
    @Test
    void aModelFromTrainingHasItsLossAsTheLossParam(SparkSession spark) throws Exception {
        StructType schema = new StructType().add("features", SQLDataTypes.VectorType());
        org.apache.spark.sql.Dataset<Row> df = spark.createDataFrame(List.of(RowFactory.create(Vectors.dense(1, 2, -3))), schema);
        SparkGradModel mse = model(LabelScale.IDENTITY, null);
        assertEquals("mse", mse.getLoss());
        assertEquals(List.of("features", "prediction"), List.of(mse.transform(df).columns()));
        String path = tmp.resolve("mse").toUri().toString();
        mse.write().save(path);
        assertEquals(List.of("features", "prediction"), List.of(SparkGradModel.load(path).transform(df).columns()));
        SparkGradModel bce = SparkGradModel.fromTraining(ModelSpec.parse("logreg", 3, 1, 7), WEIGHTS,
                LossKind.BCE_WITH_LOGITS, null, LabelScale.IDENTITY);
        assertEquals("bce_with_logits", bce.getLoss());
        assertEquals(List.of("features", "rawPrediction", "probability", "prediction"), List.of(bce.transform(df).columns()));
    }

    @Test
    void theFeatureStandardisationIsAppliedAndSaved(SparkSession spark) throws Exception {
        Standardization s = new Standardization(new double[] {1, 2, 3}, new double[] {2, 4, 0});
        SparkGradModel m = model(LabelScale.IDENTITY, s);
        // (1-1)/2, (2-2)/4, -3-3 (std 0: centred only)
        assertEquals(model(LabelScale.IDENTITY, null).predict(Vectors.dense(0, 0, -6)), m.predict(Vectors.dense(1, 2, -3)), 0.0);
        m.write().save(tmp.resolve("z").toUri().toString());
        SparkGradModel back = SparkGradModel.load(tmp.resolve("z").toUri().toString(), new org.apache.hadoop.conf.Configuration());
        assertEquals(List.of(1.0, 2.0, 3.0), java.util.Arrays.stream(back.mean()).boxed().toList());
        assertEquals(List.of(2.0, 4.0, 0.0), java.util.Arrays.stream(back.std()).boxed().toList());
    }

    @Test
    void aClassifierHasNoLabelScaleAndBadScalesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> SparkGradModel.fromTraining(ModelSpec.parse("logreg", 3, 1, 7),
                WEIGHTS, LossKind.BCE_WITH_LOGITS, null, new LabelScale(1, 2)));
        assertThrows(IllegalArgumentException.class, () -> new LabelScale(0, 0));
        assertThrows(IllegalArgumentException.class, () -> new LabelScale(Double.NaN, 1));
        assertEquals(2, SparkGradModel.fromTraining(ModelSpec.parse("logreg", 3, 1, 7), WEIGHTS, LossKind.BCE_WITH_LOGITS,
                null, LabelScale.IDENTITY).numClasses());
    }
}
