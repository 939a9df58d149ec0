/**
 * How tensors print, over the read-only {@link io.sparkgrad.format.TensorView} that
 * {@code io.sparkgrad.Tensor} implements (this package depends only on {@code io.sparkgrad.shape}):
 * {@link io.sparkgrad.format.MindSporeRepr}, MindSpore's repr ({@code Tensor.toString()}), and
 * {@link io.sparkgrad.format.NumpyStr}, NumPy's {@code str} ({@code Tensor.str()}, what
 * MindSpore's {@code print(tensor)} shows). Both summarise tensors of more than 1000 elements as
 * NumPy does.
 */
package io.sparkgrad.format;
