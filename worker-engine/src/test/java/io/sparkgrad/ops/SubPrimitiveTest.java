package io.sparkgrad.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.sparkgrad.DType;
import io.sparkgrad.Tensor;
import io.sparkgrad.TestSupport;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code sub} is one primitive: bitwise the {@code a + (-b)} composite it replaced, in both
 * precisions and every access pattern of the FLOAT32 loops (same shape, scalar operand, broadcast
 * row, strided column), signed zeros and infinities included, and NaN where the composite gives
 * NaN (a NaN operand's sign bit, which negation flips, may differ); one recorded node; and the
 * subtrahend's gradient negated and reduced over its broadcast axes.
 */
class SubPrimitiveTest {
    private static final double[] EDGES = {0.0, -0.0, 1.5, -1.5, 3e38, -3e38, Double.POSITIVE_INFINITY,
        Double.NEGATIVE_INFINITY, Double.NaN, 1e-45, -7.25, 0.1};

    /** {@code rows x EDGES.length} values: each row the edge values rotated by the row index. */
    private static Tensor edges(DType dtype, int rows, int shift) {
        int c = EDGES.length;
        double[] v = new double[rows * c];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < c; j++) {
                v[r * c + j] = EDGES[(j + r + shift) % c];
            }
        }
        Tensor t = Tensor.wrap(v, rows, c);
        return dtype == DType.FLOAT64 ? t : Ops.cast(t, dtype);
    }

    /** Bitwise equal, except that any NaN matches any NaN. */
    private static void assertBitwiseEqual(Tensor expected, Tensor actual) {
        assertArrayEquals(expected.shape(), actual.shape(), "shape");
        assertEquals(expected.dtype(), actual.dtype(), "dtype");
        for (int i = 0; i < expected.size(); i++) {
            double e = expected.getFlat(i);
            double a = actual.getFlat(i);
            boolean same = Double.isNaN(e) ? Double.isNaN(a) : Double.doubleToRawLongBits(e) == Double.doubleToRawLongBits(a);
            if (!same) {
                fail("element " + i + ": expected " + e + " but was " + a);
            }
        }
    }

    @Test
    void subIsBitwiseAddOfNegInEveryLoop() {
        for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            int c = EDGES.length;
            Tensor a = edges(dt, c, 0);
            Tensor b = edges(dt, c, 5); // every pair of edge values meets once
            assertBitwiseEqual(Ops.add(a, Ops.neg(b)), Ops.sub(a, b));
            Tensor row = Ops.reshape(edges(dt, 1, 3), c);
            assertBitwiseEqual(Ops.add(a, Ops.neg(row)), Ops.sub(a, row));
            assertBitwiseEqual(Ops.add(row, Ops.neg(a)), Ops.sub(row, a));
            Tensor col = Ops.reshape(Ops.slice(edges(dt, c, 7), new int[] {0, 0}, new int[] {c, 1}), c, 1);
            assertBitwiseEqual(Ops.add(a, Ops.neg(col)), Ops.sub(a, col));
            assertBitwiseEqual(Ops.add(col, Ops.neg(a)), Ops.sub(col, a));
            for (double s : EDGES) {
                Tensor scalar = Tensor.scalar(s, dt);
                assertBitwiseEqual(Ops.add(a, Ops.neg(scalar)), Ops.sub(a, scalar));
                assertBitwiseEqual(Ops.add(scalar, Ops.neg(a)), Ops.sub(scalar, a));
            }
        }
    }

    @Test
    void oneNodeAndTheSubtrahendGetsTheNegatedReducedCotangent() {
        Tensor a = Tensor.wrap(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor b = Tensor.wrap(new double[] {10, 20, 30}, 3);
        try (GradScope scope = GradScope.open()) {
            assertEquals(Set.of("sub"), TestSupport.recordedOps(Ops.sub(scope.watch(a), scope.watch(b))));
        }
        Tensor g = Tensor.wrap(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        io.sparkgrad.Value grads = new GradOperation(true, false, false)
                .apply(in -> Ops.sum(Ops.mul(Ops.sub(in[0], in[1]), g))).call(a, b);
        TestSupport.assertClose(new double[] {1, 2, 3, 4, 5, 6}, grads.get(0).tensor(), 0);
        TestSupport.assertClose(new double[] {-5, -7, -9}, grads.get(1).tensor(), 0);
    }
}
