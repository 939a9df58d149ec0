package io.sparkgrad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Set;

/** Shared helpers for the engine tests. */
public final class TestSupport {
    private TestSupport() {
    }

    /** A Float64 tensor of the given shape holding {@code values}. */
    public static Tensor f64(double[] values, int... shape) {
        return Tensor.wrap(values.clone(), shape);
    }

    /** Seeded standard-normal Float64 values. */
    public static Tensor randn64(long seed, int... shape) {
        return Tensor.randn(seed, DType.FLOAT64, shape);
    }

    /** Seeded uniform Float64 values in [lo, hi). */
    public static Tensor uniform64(long seed, double lo, double hi, int... shape) {
        return Tensor.uniform(seed, lo, hi, DType.FLOAT64, shape);
    }

    /** Asserts shape and every element within {@code tol} (absolute) of {@code expected}. */
    public static void assertClose(double[] expected, Tensor actual, double tol) {
        assertEquals(expected.length, actual.size(), "element count of " + actual);
        for (int i = 0; i < expected.length; i++) {
            double a = actual.getFlat(i);
            if (!(Math.abs(a - expected[i]) <= tol)) {
                fail("element " + i + ": expected " + expected[i] + " but was " + a + " (tol " + tol + ") in " + actual);
            }
        }
    }

    public static void assertClose(double[] expected, int[] shape, Tensor actual, double tol) {
        assertArrayEquals(shape, actual.shape(), "shape");
        assertClose(expected, actual, tol);
    }

    /** Asserts both tensors have the same shape, dtype and bit-identical values. */
    public static void assertBitwiseEqual(Tensor expected, Tensor actual) {
        assertArrayEquals(expected.shape(), actual.shape(), "shape");
        assertEquals(expected.dtype(), actual.dtype(), "dtype");
        for (int i = 0; i < expected.size(); i++) {
            if (Double.doubleToRawLongBits(expected.getFlat(i)) != Double.doubleToRawLongBits(actual.getFlat(i))) {
                fail("element " + i + ": expected " + expected.getFlat(i) + " but was " + actual.getFlat(i));
            }
        }
    }

    /** The names of the primitives recorded in the graph behind {@code out}. */
    public static Set<String> recordedOps(Tensor out) {
        return io.sparkgrad.ops.GraphInspection.recordedOps(out);
    }
}
