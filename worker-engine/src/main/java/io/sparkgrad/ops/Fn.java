package io.sparkgrad.ops;

import io.sparkgrad.Tensor;
import io.sparkgrad.Value;

/**
 * A differentiable function of tensors: what {@link GradOperation} differentiates. Every
 * {@code io.sparkgrad.nn.Cell} is one; so is a lambda such as {@code xs -> mul(xs[0], xs[0])}.
 * Plain Java {@code if} and {@code while} on tensor values inside it are differentiated through,
 * since the graph is recorded as the function runs.
 */
@FunctionalInterface
public interface Fn {
    Value call(Tensor... inputs);
}
