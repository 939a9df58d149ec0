package io.sparkgrad.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.DType;
import io.sparkgrad.Tensor;
import io.sparkgrad.spark.testing.LocalSpark;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * A FLOAT64 model ({@link ModelSpec#withDtype}, {@link Precision}) computes the distributed
 * objective and gradient in double from the same float32 rows and float32 parameters: its
 * objective matches a hand computation in double to 1e-15, where the FLOAT32 model's carries
 * float32 rounding.
 */
@LocalSpark(master = "local[2]")
class PrecisionTest {
    @Test
    void widensExactlyAndReadsTheModelsDtype() {
        float[] v = {0.1f, -3.3e-8f, 16777217f};
        Tensor t = Precision.wrap(v, DType.FLOAT64, 3);
        assertEquals(DType.FLOAT64, t.dtype());
        assertArrayEquals(new double[] {0.1f, -3.3e-8f, 16777217f}, t.toDoubleArray(), 0.0);
        assertEquals(DType.FLOAT32, Precision.wrap(v, DType.FLOAT32, 3).dtype());
        ModelSpec spec = ModelSpec.parse("mlp:3,1", 4, 1, 1);
        assertEquals(DType.FLOAT32, Precision.of(spec.create()));
        assertEquals(DType.FLOAT64, Precision.of(spec.withDtype(DType.FLOAT64).create()));
        assertThrows(IllegalArgumentException.class, () -> Precision.wrap(v, DType.BOOL, 3));
        assertThrows(IllegalArgumentException.class, () -> spec.withDtype(DType.BOOL));
    }

    @Test
    void aFloat64ModelsObjectiveAndGradientAreDoubleExact(SparkSession spark) {
        List<Sample> rows = LbfgsTest.rows(3001, 9);
        TrainingData data = LbfgsTest.data(spark, rows);
        ModelSpec f32 = LbfgsTest.LOGREG;
        ModelSpec f64 = f32.withDtype(DType.FLOAT64);
        float[] p = f32.create().trainableParamTuple().flatten(); // weight [1, 4], then bias [1]
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) (0.37 * (i - 1.7)); // away from zero, so every row's loss differs
        }
        // by hand, in double: mean over rows of log(1 + exp(z)) - y z, z = w.x + b; and its gradient
        double loss = 0;
        double[] g = new double[p.length];
        for (Sample s : rows) {
            double z = p[p.length - 1];
            for (int j = 0; j < LbfgsTest.DIM; j++) {
                z += (double) p[j] * s.features()[j];
            }
            loss += Math.max(z, 0) - s.label() * z + Math.log1p(Math.exp(-Math.abs(z)));
            double r = 1 / (1 + Math.exp(-z)) - s.label();
            for (int j = 0; j < LbfgsTest.DIM; j++) {
                g[j] += r * s.features()[j];
            }
            g[p.length - 1] += r;
        }
        double mean = loss / rows.size();

        LossFunction.Evaluation e64 = LbfgsTest.evaluate(spark, data,
                DataParallelTrainer.builder(f64, LossKind.BCE_WITH_LOGITS).lbfgs(5, 3, 0), p);
        LossFunction.Evaluation e32 = LbfgsTest.evaluate(spark, data,
                DataParallelTrainer.builder(f32, LossKind.BCE_WITH_LOGITS).lbfgs(5, 3, 0), p);
        double err64 = Math.abs(e64.objective() - mean) / mean;
        double err32 = Math.abs(e32.objective() - mean) / mean;
        System.out.printf("objective relative error: float64 model %.2e, float32 model %.2e%n", err64, err32);
        assertTrue(err64 < 1e-14, "float64 objective relative error " + err64);
        assertTrue(err32 > 1e-12 && err32 < 1e-5, "float32 objective relative error " + err32);
        for (int i = 0; i < p.length; i++) { // the gradient travels as float32: one rounding per partial
            assertEquals(g[i] / rows.size(), e64.gradient()[i], 1e-6 * Math.abs(g[i] / rows.size()) + 1e-9, "gradient " + i);
        }
        data.unpersist();
    }
}
