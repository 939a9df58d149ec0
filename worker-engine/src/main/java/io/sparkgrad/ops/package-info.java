/**
 * Operations and automatic differentiation, MindSpore's {@code ops} namespace: the whole autodiff
 * layer, in one package so that rules written in {@link io.sparkgrad.ops.Ops} calls need no arrow
 * back into it.
 * <ul>
 *   <li>{@link io.sparkgrad.ops.Primitives}: the registry of primitive ops, each defined once with
 *       its forward kernel and its vector-Jacobian product rule (written in tensor ops, so
 *       gradients of gradients need no extra code);</li>
 *   <li>{@link io.sparkgrad.ops.Ops}: the public op functions, either primitives or composites of
 *       them (sub, sigmoid, softmax, the losses), which need no rule of their own;</li>
 *   <li>{@code Autodiff}: recording, the backward pass and every engine-wide gradient policy
 *       (what is tracked, stop_gradient, the sens check, accumulation, unbroadcast, the rule
 *       checks, the top-level detach);</li>
 *   <li>{@link io.sparkgrad.ops.GradScope}: one gradient call's trace level, which decides from
 *       the data whether a call is nested;</li>
 *   <li>{@link io.sparkgrad.ops.GradOperation}: turns a {@link io.sparkgrad.ops.Fn} into its
 *       gradient function with MindSpore's {@code get_all}, {@code get_by_list} and
 *       {@code sens_param} semantics (and PyTorch's {@code create_graph}).</li>
 * </ul>
 */
package io.sparkgrad.ops;
