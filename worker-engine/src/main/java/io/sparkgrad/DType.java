package io.sparkgrad;

import io.sparkgrad.format.TensorView;

/**
 * Element types. {@link #FLOAT32} is the default, as in MindSpore; {@link #FLOAT64} is used by
 * gradient checks; {@link #BOOL} is the result of comparisons and is never differentiable.
 *
 * <p>Storage: FLOAT32 and BOOL live in a {@code float[]} (BOOL as 0/1), FLOAT64 in a
 * {@code double[]}. Arithmetic on FLOAT32 is IEEE single precision: each elementwise result is
 * rounded to float.
 */
public enum DType implements TensorView.ElementType {
    FLOAT32("Float32"),
    FLOAT64("Float64"),
    BOOL("Bool");

    private final String msName;

    DType(String msName) {
        this.msName = msName;
    }

    /** The name MindSpore prints, e.g. {@code Float32}. */
    @Override
    public String msName() {
        return msName;
    }

    @Override
    public boolean isFloating() {
        return this != BOOL;
    }

    @Override
    public boolean isFloat64() {
        return this == FLOAT64;
    }

    @Override
    public String toString() {
        return msName;
    }
}
