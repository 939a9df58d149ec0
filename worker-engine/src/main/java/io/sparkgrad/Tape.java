package io.sparkgrad;

import io.sparkgrad.ops.Ops;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One reverse pass, scoped to one gradient call: {@code try (Tape tape = new Tape(outputs, sens,
 * targets)) { ... tape.gradient(x) ... }}. Closing it drops the gradient table.
 *
 * <p>This is the only place that holds engine-wide gradient policy:
 * <ul>
 *   <li>the walk: a topological order of the nodes between the outputs and the targets, then one
 *       reverse loop (micrograd's {@code backward});</li>
 *   <li>accumulation: an input used twice receives the sum of its cotangents;</li>
 *   <li>broadcasting: a rule may return a cotangent shaped like the broadcast output; it is
 *       summed back to the input's shape here;</li>
 *   <li>stop_gradient and requires_grad=false: such tensors carry no node, so the walk never
 *       reaches them;</li>
 *   <li>checking that a rule returns one gradient per input, of the input's dtype, and that a
 *       primitive reached by the walk has a rule at all ("no gradient rule for X").</li>
 * </ul>
 * Only nodes from which a target can be reached are visited, and a rule is told which of its
 * inputs need a gradient, so a {@code get_by_list} call never computes input gradients.
 */
public final class Tape implements AutoCloseable {
    private final Map<Node, Tensor> grads = new IdentityHashMap<>();
    private boolean closed;

    /**
     * Runs the reverse pass from {@code outputs} (each seeded with its cotangent from {@code sens})
     * to {@code targets}.
     */
    public Tape(List<Tensor> outputs, List<Tensor> sens, List<? extends Tensor> targets) {
        if (outputs.size() != sens.size()) {
            throw new IllegalArgumentException("backward: " + outputs.size() + " outputs but "
                    + sens.size() + " sens values");
        }
        Set<Node> targetNodes = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Tensor t : targets) {
            if (t.node() != null) {
                targetNodes.add(t.node());
            }
        }
        List<Node> order = topologicalOrder(outputs);
        Set<Node> needed = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Node n : order) { // inputs come before the nodes that use them
            boolean need = targetNodes.contains(n);
            for (Tensor in : n.inputs) {
                need |= in.node() != null && needed.contains(in.node());
            }
            if (need) {
                needed.add(n);
            }
        }
        for (int i = 0; i < outputs.size(); i++) {
            Tensor out = outputs.get(i);
            Tensor s = sens.get(i);
            if (!Arrays.equals(out.shape(), s.shape())) {
                throw new IllegalArgumentException("sens of shape " + Arrays.toString(s.shape())
                        + " does not match the output's shape " + Arrays.toString(out.shape()));
            }
            if (out.node() != null && needed.contains(out.node())) {
                accumulate(out.node(), s);
            }
        }
        for (int k = order.size() - 1; k >= 0; k--) {
            Node node = order.get(k);
            Tensor g = grads.get(node);
            if (g == null || node.isLeaf() || !needed.contains(node)) {
                continue;
            }
            backwardThrough(node, g, needed);
        }
    }

    private void backwardThrough(Node node, Tensor g, Set<Node> needed) {
        Tensor[] in = node.inputs;
        boolean[] needs = new boolean[in.length];
        boolean any = false;
        for (int i = 0; i < in.length; i++) {
            needs[i] = in[i].node() != null && needed.contains(in[i].node());
            any |= needs[i];
        }
        if (!any) {
            return;
        }
        Primitive.Vjp rule = node.op.vjp();
        if (rule == null) {
            throw new UnsupportedOperationException("no gradient rule for " + node.op.name());
        }
        Tensor[] gin = rule.apply(g, in, node.out, needs);
        if (gin == null || gin.length != in.length) {
            throw new IllegalStateException("gradient rule for " + node.op.name() + " returned "
                    + (gin == null ? "null" : gin.length + " gradients") + " for " + in.length + " inputs");
        }
        for (int i = 0; i < in.length; i++) {
            if (!needs[i]) {
                continue;
            }
            Tensor gi = gin[i];
            if (gi == null) {
                throw new IllegalStateException("gradient rule for " + node.op.name()
                        + " returned no gradient for input " + i);
            }
            if (gi.dtype() != in[i].dtype()) {
                throw new IllegalStateException("gradient rule for " + node.op.name() + " returned a "
                        + gi.dtype() + " gradient for " + in[i].dtype() + " input " + i);
            }
            if (!Arrays.equals(gi.shape(), in[i].shape())) {
                gi = Ops.sumToShape(gi, in[i].shape());
            }
            accumulate(in[i].node(), gi);
        }
    }

    private void accumulate(Node n, Tensor g) {
        grads.merge(n, g, Ops::add);
    }

    /** Nodes reachable from the outputs, every node after all of its inputs' nodes. */
    private static List<Node> topologicalOrder(List<Tensor> outputs) {
        List<Node> order = new ArrayList<>();
        Set<Node> visited = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Object[]> stack = new ArrayDeque<>(); // {node, next input index}
        for (Tensor out : outputs) {
            Node root = out.node();
            if (root == null || !visited.add(root)) {
                continue;
            }
            stack.push(new Object[] {root, 0});
            while (!stack.isEmpty()) {
                Object[] top = stack.peek();
                Node n = (Node) top[0];
                int i = (Integer) top[1];
                if (i < n.inputs.length) {
                    top[1] = i + 1;
                    Node child = n.inputs[i].node();
                    if (child != null && visited.add(child)) {
                        stack.push(new Object[] {child, 0});
                    }
                } else {
                    stack.pop();
                    order.add(n);
                }
            }
        }
        return order;
    }

    /** The gradient of the outputs with respect to {@code target}: zeros where none flows. */
    public Tensor gradient(Tensor target) {
        if (closed) {
            throw new IllegalStateException("this Tape is closed");
        }
        Tensor g = target.node() == null ? null : grads.get(target.node());
        return g != null ? g : Tensor.zerosLike(target);
    }

    @Override
    public void close() {
        closed = true;
        grads.clear();
    }
}
