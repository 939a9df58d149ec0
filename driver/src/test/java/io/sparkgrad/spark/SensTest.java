package io.sparkgrad.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sparkgrad.spark.testing.GradientAssertions;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The sens scaling, computed by the partition code in a plain loop (no Spark needed). */
class SensTest {
    static final ModelSpec MLP = DistributedGradientTest.MLP;

    /** The partition-side sum over all rows, in one block, with the given partition sens. */
    private static GradientSum sum(List<Sample> rows, double partitionSens) {
        int dim = DistributedGradientTest.DIM;
        float[] x = new float[rows.size() * dim];
        float[] y = new float[rows.size()];
        float[] w = new float[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(rows.get(i).features(), 0, x, i * dim, dim);
            y[i] = rows.get(i).label();
            w[i] = rows.get(i).weight();
        }
        DataBlock block = new DataBlock(0, 0, rows.size(), dim, x, y, w);
        return new PartitionGradient(MLP, LossKind.SOFTMAX_CROSS_ENTROPY, TaskHook.NONE, partitionSens)
                .compute(0, List.of(block).iterator(), MLP.create().trainableParamTuple().flatten(),
                        StepPlan.fullBatch(16), 0);
    }

    @Test
    void meanScalarAndLossScaleGiveTheirDocumentedGradients() {
        List<Sample> rows = DistributedGradientTest.rows(40, 31, true, 3);
        float[] mean = GradientAssertions.localGradient(MLP, LossKind.SOFTMAX_CROSS_ENTROPY, rows);
        GradientSum plain = sum(rows, 1);
        double w = plain.weight();

        float[] byMean = plain.scaledGradient(Sens.inverseTotalWeight().driverScale(w));
        // a loss scale of 1024 multiplies the partitions' gradients and is divided out again
        Sens scaled = Sens.lossScale(1024);
        GradientSum big = sum(rows, scaled.partitionSens());
        float[] byLossScale = big.scaledGradient(scaled.driverScale(big.weight()));
        // a scalar sens s: the gradient of s * sum_i w_i loss_i
        float[] byScalar = plain.scaledGradient(Sens.scalar(0.5).driverScale(w));
        for (int i = 0; i < mean.length; i++) {
            assertEquals(mean[i], byMean[i], 1e-6 + 1e-5 * Math.abs(mean[i]), "mean, element " + i);
            assertEquals(mean[i], byLossScale[i], 1e-6 + 1e-5 * Math.abs(mean[i]), "loss scale, element " + i);
            assertEquals(0.5 * w * mean[i], byScalar[i], 1e-5 + 1e-5 * Math.abs(w * mean[i]), "scalar, element " + i);
        }
        assertEquals(plain.loss(), big.loss(), 1e-9, "the reported loss is not scaled");
    }

    @Test
    void aZeroOrNonFiniteSensIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Sens.scalar(0));
        assertThrows(IllegalArgumentException.class, () -> Sens.lossScale(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Sens.scalar(Double.POSITIVE_INFINITY));
    }
}
