package io.sparkgrad.ops;

import io.sparkgrad.GraphNode;
import io.sparkgrad.Tensor;
import java.util.Map;

/**
 * What one backward pass ({@link Autodiff#backpropagate}) computed: the cotangent of every node it
 * reached, and whether the graph it swept reaches a live enclosing level ({@link GradScope}).
 * Immutable once built; dropped when the gradient call returns.
 */
final class Cotangents {
    private final Map<GraphNode, Tensor> grads;
    private final boolean enclosed;

    Cotangents(Map<GraphNode, Tensor> grads, boolean enclosed) {
        this.grads = grads;
        this.enclosed = enclosed;
    }

    /** The gradient of the outputs with respect to {@code target}: zeros where none flows. */
    Tensor of(Tensor target) {
        GraphNode n = Autodiff.nodeOf(target);
        Tensor g = n == null ? null : grads.get(n);
        return g != null ? g : Tensor.zerosLike(target);
    }

    /** True when the swept graph reaches a leaf of another gradient call that is still open. */
    boolean enclosedByLiveScope() {
        return enclosed;
    }
}
