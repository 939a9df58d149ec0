package io.sparkgrad.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sparkgrad.DType;
import io.sparkgrad.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The branch-free loops (int-select comparisons and relu masks, contiguous broadcast rows, the
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
        int n = EDGES.length * EDGES.length;
        float[] x = grid(EDGES.length, EDGES.length, 0);
        float[] g = grid(EDGES.length, EDGES.length, 1);
        Tensor relu = Fused.relu(Tensor.wrap(x, n));
        Tensor grad = Fused.reluGrad(Tensor.wrap(x, n), Tensor.wrap(g, n));
        double[] xd = new double[n];
        double[] gd = new double[n];
        for (int i = 0; i < n; i++) {
            xd[i] = x[i];
            gd[i] = g[i];
        }
        Tensor grad64 = Fused.reluGrad(Tensor.wrap(xd, n), Tensor.wrap(gd, n));
        for (int i = 0; i < n; i++) {
            assertBits(x[i] * (x[i] > 0 ? 1f : 0f), relu.getFlat(i), "relu " + x[i]);
            assertBits(g[i] * (x[i] > 0 ? 1f : 0f), grad.getFlat(i), "reluGrad " + x[i] + ", " + g[i]);
            double want = gd[i] * (xd[i] > 0 ? 1.0 : 0.0);
            assertEquals(Double.doubleToRawLongBits(want), Double.doubleToRawLongBits(grad64.getFlat(i)),
                    "reluGrad float64 " + xd[i] + ", " + gd[i]);
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
