/**
 * Operations and differentiation, MindSpore's {@code ops} namespace. {@link io.sparkgrad.ops.Primitives}
 * is the registry of primitive ops, each defined once with its forward kernel and its
 * vector-Jacobian product rule (written in tensor ops, so gradients of gradients need no extra
 * code); {@link io.sparkgrad.ops.Ops} holds the public op functions, either primitives or
 * composites of them (sub, sigmoid, softmax, the losses), which need no rule of their own.
 * {@link io.sparkgrad.ops.GradOperation} turns a {@link io.sparkgrad.ops.Fn} into its gradient
 * function with MindSpore's {@code get_all}, {@code get_by_list} and {@code sens_param} semantics.
 */
package io.sparkgrad.ops;
