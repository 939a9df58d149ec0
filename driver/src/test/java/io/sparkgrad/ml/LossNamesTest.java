package io.sparkgrad.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.spark.LossKind;
import io.sparkgrad.spark.testing.LocalSpark;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * The loss names: one table in {@link LossKind}, the canonical names and the command line's short
 * aliases, which the estimator's {@code loss} param takes as the CLI's {@code --loss} does.
 */
@LocalSpark(master = "local[2]")
class LossNamesTest {

    @Test
    void eachLossHasItsCanonicalNameAndItsAliases() {
        assertEquals(List.of("softmax_cross_entropy", "softmax", "bce_with_logits", "bce", "mse"), List.of(LossKind.allNames()));
        assertEquals(List.of("softmax_cross_entropy", "softmax"), LossKind.SOFTMAX_CROSS_ENTROPY.names());
        assertEquals("bce_with_logits", LossKind.BCE_WITH_LOGITS.canonicalName());
        assertEquals(LossKind.SOFTMAX_CROSS_ENTROPY, LossKind.fromName("softmax"));
        assertEquals(LossKind.SOFTMAX_CROSS_ENTROPY, LossKind.fromName("softmax_cross_entropy"));
        assertEquals(LossKind.BCE_WITH_LOGITS, LossKind.fromName("bce"));
        assertEquals(LossKind.BCE_WITH_LOGITS, LossKind.fromName("BCE_With_Logits"));
        assertEquals(LossKind.MSE, LossKind.fromName(" MSE "));
        for (LossKind k : LossKind.values()) {
            for (String name : k.names()) {
                assertEquals(k, LossKind.fromName(name), name);
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LossKind.fromName("hinge"));
        assertEquals("unknown loss 'hinge': expected softmax_cross_entropy (or softmax), bce_with_logits (or bce), mse",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LossKind.fromName(null));
    }

    @Test
    void theEstimatorsLossParamTakesEveryNameAndNothingElse() {
        assertEquals(List.of(LossKind.allNames()), List.of(SharedParams.LOSSES));
        SparkGradEstimator est = new SparkGradEstimator();
        for (String name : LossKind.allNames()) {
            assertEquals(name, est.setLoss(name).getLoss());
            assertEquals(LossKind.fromName(name).isClassification(), est.isClassification(), name);
        }
        assertFalse(est.setLoss("mse").isClassification());
        assertTrue(est.setLoss("bce").isClassification());
        assertThrows(IllegalArgumentException.class, () -> est.setLoss("hinge"));
        String doc = est.loss().doc();
        assertTrue(doc.contains(LossKind.describeNames()), doc);
    }

    /** An alias trains the same model as its canonical name, bit for bit. */
    @Test
    void anAliasFitsTheSameModelAsTheCanonicalName(SparkSession spark) {
        Dataset<Row> df = Blobs.frame(spark, 120, 2, 17, 2).cache();
        SparkGradModel alias = new SparkGradEstimator().setLoss("bce").setModel("logreg").setMaxIter(3).setStepSize(0.1)
                .setSeed(5).fit(df);
        SparkGradModel canonical = new SparkGradEstimator().setLoss("bce_with_logits").setModel("logreg").setMaxIter(3)
                .setStepSize(0.1).setSeed(5).fit(df);
        assertEquals(LossKind.BCE_WITH_LOGITS, alias.lossKind());
        assertEquals(2, alias.numClasses());
        assertEquals(PersistenceTest.bits(canonical.transform(df)), PersistenceTest.bits(alias.transform(df)));
        assertEquals(120 * 5, PersistenceTest.bits(alias.transform(df)).size()); // raw (2), probability (2), prediction
        df.unpersist();
    }
}
