package io.sparkgrad.kernel;

import io.sparkgrad.DType;
import io.sparkgrad.Tensor;

/**
 * A tensor's storage as one untyped array ({@code float[]} for FLOAT32 and BOOL, {@code double[]}
 * for FLOAT64), so that kernels which only move elements ({@link System#arraycopy}) are written
 * once for every dtype. Loops that compute on elements stay typed.
 */
final class Storage {
    private Storage() {
    }

    /** The backing array of {@code x}, not a copy. */
    static Object of(Tensor x) {
        return x.dtype() == DType.FLOAT64 ? x.doubleStorage() : x.floatStorage();
    }

    /** A zeroed array for {@code n} elements of {@code dtype}. */
    static Object allocate(DType dtype, int n) {
        return dtype == DType.FLOAT64 ? new double[n] : new float[n];
    }

    /** Wraps an array made by {@link #allocate} (or {@link #of}) as a tensor of {@code dtype}. */
    static Tensor wrap(DType dtype, Object data, int[] shape) {
        switch (dtype) {
            case FLOAT64:
                return Tensor.wrap((double[]) data, shape);
            case BOOL:
                return Tensor.wrapBool((float[]) data, shape);
            default:
                return Tensor.wrap((float[]) data, shape);
        }
    }
}
