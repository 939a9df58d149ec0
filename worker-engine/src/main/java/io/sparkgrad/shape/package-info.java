/**
 * Shape arithmetic, below everything else in the engine and depending on nothing in it:
 * {@link io.sparkgrad.shape.Shapes} (sizes, row-major strides, axes, NumPy broadcasting and the
 * shapes of reductions) and {@link io.sparkgrad.shape.NdIndex}, the one n-d index walk that the
 * kernels' strided and broadcast loops and the tensor printouts share.
 */
package io.sparkgrad.shape;
