/**
 * The core of SparkGrad's pure-Java reverse-mode automatic differentiation, with MindSpore's
 * programming model: {@link io.sparkgrad.Tensor} (an immutable n-dimensional array of a
 * {@link io.sparkgrad.DType}), {@link io.sparkgrad.Parameter} (a named trainable tensor) and
 * {@link io.sparkgrad.ParameterTuple}, the {@link io.sparkgrad.Value} results of functions
 * (a Tensor or a {@link io.sparkgrad.Tuple}), and the graph machinery. A graph is recorded as ops
 * run: {@link io.sparkgrad.Autograd} attaches a node to each output computed from a tracked input,
 * and one {@link io.sparkgrad.Tape} per gradient call walks it backwards, holding the engine-wide
 * policy (accumulation, broadcasting, stop_gradient, rule checks). Nothing is registered globally,
 * so concurrent gradient calls are independent; {@link io.sparkgrad.TensorFormat} prints tensors
 * as MindSpore and NumPy do.
 */
package io.sparkgrad;
