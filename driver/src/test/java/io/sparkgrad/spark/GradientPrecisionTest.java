package io.sparkgrad.spark;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Float32 partials against double partials, on real partition gradients (a logistic regression
 * near its optimum, where the partitions' gradients cancel and rounding matters most) computed
 * by {@link PartitionGradient} in a plain loop. The partition sums are accumulated in double
 * either way; the float32 path rounds each partial once, and each group and the total once.
 */
class GradientPrecisionTest {
    static final int DIM = 20;
    static final int PARTS = 8;

    static DataBlock block(int partition, int rows, SplittableRandom r, float[] w) {
        float[] x = new float[rows * DIM];
        float[] y = new float[rows];
        for (int i = 0; i < rows; i++) {
            double s = 0;
            for (int j = 0; j < DIM; j++) {
                x[i * DIM + j] = (float) r.nextGaussian();
                s += w[j] * x[i * DIM + j];
            }
            y[i] = r.nextDouble() < 1 / (1 + Math.exp(-s)) ? 1 : 0;
        }
        return new DataBlock(partition, 0, rows, DIM, x, y, null);
    }

    /** New labels ~ Bernoulli(sigmoid(w.x)) for the block's features. */
    static float[] relabel(DataBlock b, float[] w, SplittableRandom r) {
        float[] x = b.features();
        float[] y = new float[b.rows];
        for (int i = 0; i < b.rows; i++) {
            double s = 0;
            for (int j = 0; j < DIM; j++) {
                s += w[j] * x[i * DIM + j];
            }
            y[i] = r.nextDouble() < 1 / (1 + Math.exp(-s)) ? 1 : 0;
        }
        return y;
    }

    @Test
    void float32PartialsStayWithinTheirRoundingBound() {
        ModelSpec logreg = ModelSpec.parse("logreg", DIM, 1, 3);
        float[] params = logreg.create().trainableParamTuple().flatten();
        int dim = params.length;
        SplittableRandom r = new SplittableRandom(11);
        // partitions 4..7 hold the features of 0..3 with labels drawn again and enter with sens -1:
        // the total is a small difference of much larger partials (as near an optimum)
        float[] w = new float[DIM];
        for (int j = 0; j < DIM; j++) {
            w[j] = (float) ((j % 5) - 2) * 0.3f;
        }
        PartitionGradient plus = new PartitionGradient(logreg, LossKind.BCE_WITH_LOGITS, TaskHook.NONE, 1);
        PartitionGradient minus = new PartitionGradient(logreg, LossKind.BCE_WITH_LOGITS, TaskHook.NONE, -1);
        GradientSum[] open = new GradientSum[PARTS];
        GradientSum[] forFloat = new GradientSum[PARTS];
        DataBlock[] blocks = new DataBlock[PARTS];
        for (int p = 0; p < PARTS; p++) {
            if (p < PARTS / 2) {
                blocks[p] = block(p, 4000, r, w);
            } else {
                DataBlock src = blocks[p - PARTS / 2];
                                blocks[p] = new DataBlock(p, 0, src.rows, DIM, src.features(), relabel(src, w, r), null);
            }
            PartitionGradient pg = p < PARTS / 2 ? plus : minus;
            open[p] = pg.compute(p, List.of(blocks[p]).iterator(), params, StepPlan.fullBatch(256), 0);
            forFloat[p] = pg.compute(p, List.of(blocks[p]).iterator(), params, StepPlan.fullBatch(256), 0);
        }
        // the double reference: unsealed partials summed in double
        double[] ref = new double[dim];
        double maxPartial = 0;
        for (GradientSum s : open) {
            double[] g = s.gradient();
            for (int i = 0; i < dim; i++) {
                ref[i] += g[i];
                maxPartial = Math.max(maxPartial, Math.abs(g[i]));
            }
        }
        double[] f32 = TreeReduce.sumInOrder(forFloat, 2, dim).gradient();
        double maxErr = 0;
        double refNorm = 0;
        double maxRef = 0;
        for (int i = 0; i < dim; i++) {
            maxErr = Math.max(maxErr, Math.abs(f32[i] - ref[i]));
            refNorm += ref[i] * ref[i];
            maxRef = Math.max(maxRef, Math.abs(ref[i]));
        }
        refNorm = Math.sqrt(refNorm);
        double ulp = Math.pow(2, -24);
        // 8 partials + 3 group sums + the total, each rounded once (half an ulp of its magnitude)
        double bound = (PARTS + 3) * ulp * maxPartial + ulp * maxRef;
        System.out.printf("float32 partials: max abs error %.3g, bound %.3g, max |partial| %.3g, |gradient| %.3g,"
                + " relative to |gradient| %.3g%n", maxErr, bound, maxPartial, refNorm, maxErr / refNorm);
        assertTrue(maxPartial > 5 * maxRef, "the partials should cancel: max partial " + maxPartial + ", total " + maxRef);
        assertTrue(maxErr > 0, "rounding to float32 had no effect at all");
        assertTrue(maxErr <= bound, "error " + maxErr + " above the bound " + bound);
        assertTrue(maxErr / refNorm < 1e-5, "relative error " + maxErr / refNorm);
    }
}
