package io.sparkgrad.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link LossKind#countCorrect}, the per-micro-batch loop (BCE has its own, branch-light one),
 * counts exactly the rows {@link LossKind#correct} calls right, on edge values too: logits of
 * +0, -0, NaN and infinities, and labels that are 0, 1 or neither.
 */
class LossKindCountTest {
    private static final float[] EDGES = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
        Float.MIN_VALUE, -Float.MIN_VALUE, 1f, -1f};

    private static long byRow(LossKind k, float[] out, int width, float[] labels, int rows) {
        long right = 0;
        for (int i = 0; i < rows; i++) {
            if (k.correct(out, i, width, labels[i])) {
                right++;
            }
        }
        return right;
    }

    @Test
    void everyLossCountsWhatCorrectSays() {
        SplittableRandom r = new SplittableRandom(3);
        for (LossKind k : LossKind.values()) {
            int width = k == LossKind.SOFTMAX_CROSS_ENTROPY ? 4 : 1;
            int rows = 5000;
            float[] out = new float[rows * width];
            float[] labels = new float[rows];
            for (int i = 0; i < out.length; i++) {
                out[i] = i % 7 == 0 ? EDGES[r.nextInt(EDGES.length)] : (float) r.nextGaussian();
            }
            for (int i = 0; i < rows; i++) {
                labels[i] = i % 11 == 0 ? 0.5f : r.nextInt(width == 1 ? 2 : width);
            }
            long want = byRow(k, out, width, labels, rows);
            assertEquals(want, k.countCorrect(out, width, labels, rows), k.name());
            assertEquals(byRow(k, out, width, labels, 17), k.countCorrect(out, width, labels, 17), k.name() + ", first rows");
        }
    }
}
