package io.sparkgrad;

/**
 * The link from a tensor to the graph that produced it: the one thing the core of values knows
 * about automatic differentiation. The core never looks inside a node; the autodiff layer
 * ({@code io.sparkgrad.ops}) defines what nodes are (a recorded primitive application, or a leaf
 * owned by one gradient call) by subclassing this type, and reaches a tensor's node only through
 * the protected accessors below. This keeps every arrow pointing one way: {@code ops} depends on
 * the core, never the reverse.
 *
 * <p>Users never see a node; {@code Ops.isTracked(t)} tells whether one is attached.
 */
public abstract class GraphNode {

    protected GraphNode() {
    }

    /**
     * The node attached to {@code t}, or null for a constant. A {@link Parameter} always carries
     * its leaf here; whether that leaf takes part in a gradient call ({@code requiresGrad}) is
     * decided by the autodiff layer, not by the core.
     */
    protected static GraphNode nodeOf(Tensor t) {
        return t.node();
    }

    /** A tensor with the values (shared, not copied) of {@code t} and the given node (or none). */
    protected static Tensor attach(Tensor t, GraphNode node) {
        return t.withNode(node);
    }
}
