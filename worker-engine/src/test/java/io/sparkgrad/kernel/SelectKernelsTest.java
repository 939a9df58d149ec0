package io.sparkgrad.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.DType;
import io.sparkgrad.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The branch-free loops (int-select comparisons, relu's min/max masks, contiguous broadcast rows, the
 * arithmetic 0/1 check of Bool tensors) give bitwise what their per-element definitions give, on
 * the values where a select could go wrong: signed zeros, NaN, infinities, subnormals.
 */
class SelectKernelsTest {
    static final float[] EDGES = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
        Float.MIN_VALUE, -Float.MIN_VALUE, 1f, -1f, 2.5f, -3.25f, Float.MAX_VALUE, -Float.MAX_VALUE, 1e-30f};

    /** An [r, c] matrix holding every edge value against every other, row by row. */
    static float[] grid(int rows, int cols, int shift) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = EDGES[(i + shift * (i / EDGES.length)) % EDGES.length];
        }
        return v;
    }

    static void assertBits(double want, double got, String what) {
        assertEquals(Float.floatToRawIntBits((float) want), Float.floatToRawIntBits((float) got), what + ": " + want + " vs " + got);
    }

    @Test
    void broadcastRowsAndComparisonsMatchTheOpsDefinitionBitwise() {
        int r = EDGES.length;
        int c = EDGES.length;
        float[] m = grid(r, c, 1);
        float[] row = grid(1, c, 0);
        float[] col = grid(r, 1, 0);
        for (Elementwise.Binary op : new Elementwise.Binary[] {Elementwise.Binary.ADD, Elementwise.Binary.MUL,
            Elementwise.Binary.DIV, Elementwise.Binary.GT, Elementwise.Binary.GE, Elementwise.Binary.LT,
            Elementwise.Binary.LE}) {
            Tensor byRow = Elementwise.binary(op, Tensor.wrap(m, r, c), Tensor.wrap(row, c)); // contiguous rows
            Tensor byCol = Elementwise.binary(op, Tensor.wrap(m, r, c), Tensor.wrap(col, r, 1)); // stride-0 rows
            Tensor same = Elementwise.binary(op, Tensor.wrap(m, r, c), Tensor.wrap(m, r, c));
            Tensor scalar = Elementwise.binary(op, Tensor.wrap(m, r, c), Tensor.scalar(0, DType.FLOAT32));
            for (int i = 0; i < r; i++) {
                for (int j = 0; j < c; j++) {
                    float x = m[i * c + j];
                    String at = op + " at " + i + "," + j;
                    assertBits(op.apply(x, row[j]), byRow.getFlat(i * c + j), at + " (row)");
                    assertBits(op.apply(x, col[i]), byCol.getFlat(i * c + j), at + " (column)");
                    assertBits(op.apply(x, x), same.getFlat(i * c + j), at + " (same shape)");
                    assertBits(op.apply(x, 0f), scalar.getFlat(i * c + j), at + " (scalar)");
                }
            }
        }
    }

    @Test
    void reluAndItsGradientMaskLikeTheCompositeBitwise() {
        checkReluGrad(grid(EDGES.length, EDGES.length, 0), grid(EDGES.length, EDGES.length, 1));
    }

    /**
     * With no NaN or infinity in x, reluGrad takes its min/max mask loop (relu always does): the
     * same bits as the select, for every finite edge against every edge of g. A NaN or an
     * infinity at any index, in the unrolled body or the tail of {@code Fused.finite}, sends
     * reluGrad to the select, which gives g * 0 where x is NaN.
     */
    @Test
    void theMinMaxMaskGivesTheSelectsBitsAndNanStillMasksToZero() {
        float[] finiteEdges = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, 1f, -1f, 2.5f, -3.25f, Float.MAX_VALUE,
            -Float.MAX_VALUE, 1e-30f, -1e-30f, Float.MIN_NORMAL, -Float.MIN_NORMAL};
        int n = finiteEdges.length * EDGES.length;
        float[] x = new float[n];
        float[] g = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = finiteEdges[i % finiteEdges.length];
            g[i] = EDGES[i / finiteEdges.length];
        }
        assertTrue(Fused.finite(x));
        checkReluGrad(x, g);
        for (int len : new int[] {1, 7, 8, 9, 16, 19}) {
            for (int at = 0; at < len; at++) {
                for (float bad : new float[] {Float.NaN, Float.intBitsToFloat(0xffc00000), Float.intBitsToFloat(0x7fc00123),
                    Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
                    float[] xs = Arrays.copyOf(x, len);
                    xs[at] = bad;
                    assertFalse(Fused.finite(xs), bad + " at " + at + " of " + len);
                    double[] xd = new double[len];
                    for (int i = 0; i < len; i++) {
                        xd[i] = xs[i];
                    }
                    assertFalse(Fused.finite(xd), bad + " at " + at + " of " + len + " (float64)");
                    checkReluGrad(xs, Arrays.copyOf(g, len));
                }
            }
        }
    }

    /** relu and reluGrad, FLOAT32 and FLOAT64, against the select definition, bit for bit. */
    private static void checkReluGrad(float[] x, float[] g) {
        int n = x.length;
        Tensor relu = Fused.relu(Tensor.wrap(x, n));
        Tensor grad = Fused.reluGrad(Tensor.wrap(x, n), Tensor.wrap(g, n));
        double[] xd = new double[n];
        double[] gd = new double[n];
        for (int i = 0; i < n; i++) {
            xd[i] = x[i];
            gd[i] = g[i];
        }
        Tensor relu64 = Fused.relu(Tensor.wrap(xd, n));
        Tensor grad64 = Fused.reluGrad(Tensor.wrap(xd, n), Tensor.wrap(gd, n));
        for (int i = 0; i < n; i++) {
            assertBits(x[i] * (x[i] > 0 ? 1f : 0f), relu.getFlat(i), "relu " + x[i]);
            assertBits(g[i] * (x[i] > 0 ? 1f : 0f), grad.getFlat(i), "reluGrad " + x[i] + ", " + g[i]);
            assertEquals(Double.doubleToRawLongBits(xd[i] * (xd[i] > 0 ? 1.0 : 0.0)),
                    Double.doubleToRawLongBits(relu64.getFlat(i)), "relu float64 " + xd[i]);
            assertEquals(Double.doubleToRawLongBits(gd[i] * (xd[i] > 0 ? 1.0 : 0.0)),
                    Double.doubleToRawLongBits(grad64.getFlat(i)), "reluGrad float64 " + xd[i] + ", " + gd[i]);
        }
    }

    @Test
    void aBoolTensorHoldsOnlyZeroAndOne() {
        Tensor.wrapBool(new float[] {0f, -0f, 1f, 1f, 0f}, 5);
        for (float bad : new float[] {Float.MIN_VALUE, -Float.MIN_VALUE, 1e-30f, Math.nextUp(1f), Math.nextDown(1f),
            -1f, 2f, 0.5f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1e20f}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Tensor.wrapBool(new float[] {0f, 1f, bad, 0f}, 4), "accepted " + bad);
            assertEquals("a Bool tensor holds 0 or 1, not " + bad, e.getMessage());
        }
    }
}
