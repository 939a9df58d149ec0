package io.sparkgrad.ops;

import io.sparkgrad.GraphNode;
import io.sparkgrad.Tensor;

/**
 * The autodiff layer's graph nodes. A {@link Node.Op} is one recorded application of a
 * {@link Primitive}: the op, the tensors it was applied to and the tracked tensor it produced. A
 * {@link Node.Leaf} is an input watched by one gradient call, and belongs to that call's
 * {@link GradScope}. (A {@code Parameter}'s leaf is the core's own, shared by every call.) The
 * graph hangs off the tensors, as micrograd's {@code Value._prev} does; nothing is registered
 * anywhere else, so concurrent gradient calls never see each other's nodes.
 */
abstract class Node extends GraphNode {

    /** The node the backward pass sees for {@code t}, or null when {@code t} is a constant. */
    static GraphNode of(Tensor t) {
        return nodeOf(t);
    }

    /** {@code t}'s values with {@code node} attached (null: detached). */
    static Tensor attachTo(Tensor t, GraphNode node) {
        return attach(t, node);
    }

    /** One application of a primitive. */
    static final class Op extends Node {
        final Primitive op;
        final Tensor[] inputs;
        /** The tracked output; set once, right after construction. */
        Tensor out;

        Op(Primitive op, Tensor[] inputs) {
            this.op = op;
            this.inputs = inputs;
        }

        @Override
        public String toString() {
            return op.name();
        }
    }

    /** An input watched by one gradient call. */
    static final class Leaf extends Node {
        final GradScope scope;

        Leaf(GradScope scope) {
            this.scope = scope;
        }

        @Override
        public String toString() {
            return "leaf of " + scope;
        }
    }
}
