/**
 * The core of values, MindSpore's top-level names: {@link io.sparkgrad.Tensor} (an immutable
 * n-dimensional array of a {@link io.sparkgrad.DType}), {@link io.sparkgrad.Parameter} (a named
 * trainable tensor) and {@link io.sparkgrad.ParameterTuple}, and the {@link io.sparkgrad.Value}
 * results of functions (a Tensor or a {@link io.sparkgrad.Tuple}). The core knows nothing of ops
 * or gradients beyond the opaque {@link io.sparkgrad.GraphNode} a tensor may carry; recording and
 * the backward pass live in {@code io.sparkgrad.ops}, the kernels in {@code io.sparkgrad.kernel}.
 *
 * <p>Layers, each depending only on the ones before it: {@code shape}, {@code format} (printing,
 * over a view that {@code Tensor} implements), the core (this package), {@code kernel},
 * {@code ops} (autodiff), {@code nn}, {@code check}.
 * {@code LayeringTest} fails on any arrow pointing the other way.
 */
package io.sparkgrad;
