package io.sparkgrad;

/**
 * The one place where ops meet the graph: {@link #apply} runs a primitive's kernel and, when any
 * input is tracked, records a {@link Node} on the output. Stateless: the graph lives on the
 * tensors, so this class holds no mutable state and is safe from any number of threads.
 */
public final class Autograd {
    private Autograd() {
    }

    static Tensor apply(Primitive p, Tensor[] inputs) {
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i] == null) {
                throw new NullPointerException(p.name() + ": input " + i + " is null");
            }
        }
        Tensor out = p.forward().apply(inputs);
        if (out.dtype() == DType.BOOL) {
            return out; // comparisons and masks are constants
        }
        boolean tracked = false;
        for (Tensor t : inputs) {
            if (t.node() != null) {
                tracked = true;
                break;
            }
        }
        if (!tracked) {
            return out.node() == null ? out : out.withNode(null);
        }
        Node node = Node.of(p, inputs.clone());
        Tensor result = out.withNode(node);
        node.out = result;
        return result;
    }

    /**
     * Marks {@code t} as an input to differentiate with respect to: a fresh leaf sharing its
     * storage, or, when {@code t} is already tracked by an enclosing gradient call, an identity
     * node that keeps the outer graph connected (this is what makes higher-order gradients work).
     */
    public static Tensor watch(Tensor t, Primitive identity) {
        if (t.node() != null) {
            return Autograd.apply(identity, new Tensor[] {t});
        }
        Node leaf = Node.leaf();
        Tensor w = t.withNode(leaf);
        leaf.out = w;
        return w;
    }

    /** The same values, cut from the graph: {@code stop_gradient}. */
    public static Tensor detach(Tensor t) {
        return t.node() == null && !(t instanceof Parameter) ? t : t.withNode(null);
    }
}
