package io.sparkgrad.format;

/**
 * All that printing reads of a tensor: its shape, its element type and its elements in row-major
 * order. {@code io.sparkgrad.Tensor} implements it, so this package needs nothing above it.
 */
public interface TensorView {
    /** The shape; may be a copy, and is not modified. */
    int[] shape();

    ElementType dtype();

    /** Element {@code i} of the row-major storage, as a double. */
    double getFlat(int i);

    /** What printing needs of a dtype. */
    interface ElementType {
        /** The name MindSpore prints, e.g. {@code Float32}. */
        String msName();

        /** False for Bool, whose elements print as {@code True} and {@code False}. */
        boolean isFloating();

        /** True for 64-bit floats: the shortest text that reads back depends on the precision. */
        boolean isFloat64();
    }
}
