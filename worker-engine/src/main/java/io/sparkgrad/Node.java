package io.sparkgrad;

/**
 * One recorded application of a {@link Primitive}: the op, the tensors it was applied to and the
 * tracked tensor it produced. A leaf node ({@code op == null}) stands for a watched input or a
 * {@link Parameter}. The graph hangs off tensors (as in micrograd's {@code Value._prev}); nothing
 * is registered anywhere else, so concurrent gradient calls never see each other's nodes.
 */
final class Node {
    final Primitive op;
    final Tensor[] inputs;
    /** The tracked output; set once, right after construction. */
    Tensor out;

    private Node(Primitive op, Tensor[] inputs) {
        this.op = op;
        this.inputs = inputs;
    }

    static Node leaf() {
        return new Node(null, new Tensor[0]);
    }

    static Node of(Primitive op, Tensor[] inputs) {
        return new Node(op, inputs);
    }

    boolean isLeaf() {
        return op == null;
    }

    @Override
    public String toString() {
        return isLeaf() ? "leaf" : op.name();
    }
}
