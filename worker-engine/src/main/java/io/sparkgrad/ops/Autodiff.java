package io.sparkgrad.ops;

import io.sparkgrad.DType;
import io.sparkgrad.GraphNode;
import io.sparkgrad.Parameter;
import io.sparkgrad.Tensor;
import io.sparkgrad.Tuple;
import io.sparkgrad.Value;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Recording and the backward pass, and the one home of every engine-wide gradient policy:
 * <ul>
 *   <li><b>what is tracked</b> ({@link #record}, {@link #nodeOf}): an op's output carries a node
 *       exactly when one of its inputs does and the output is floating point; Bool outputs
 *       (comparisons, masks) and casts to a non-floating dtype are constants. A
 *       {@code Parameter} with {@code requiresGrad=false} is a constant.</li>
 *   <li><b>stop_gradient</b> ({@link #detach}): the same storage without a node.</li>
 *   <li><b>the sens</b> ({@link #backpropagate}): checked once, structure, shape and dtype, against
 *       the outputs; ones when the caller gives none.</li>
 *   <li><b>the reverse sweep</b> ({@link #backpropagate}): a topological order of the nodes
 *       between the outputs and the targets, then one reverse loop (micrograd's
 *       {@code backward}); accumulation (an input used twice receives the sum of its cotangents);
 *       unbroadcast (a rule may return a cotangent shaped like the broadcast output; it is summed
 *       back to the input's shape here); the rule checks (one gradient per input, of the input's
 *       dtype; "no gradient rule for X"). Only nodes from which a target can be reached are
 *       visited, and a rule is told which inputs need a gradient, so a {@code get_by_list} call
 *       never computes input gradients.</li>
 *   <li><b>the top-level detach</b> ({@link #release}): results leave the graph unless an
 *       enclosing level is live for them or the caller asked for {@code createGraph}; see
 *       {@link GradScope}.</li>
 * </ul>
 * Stateless: the graph lives on the tensors, so any number of threads may use it at once.
 */
final class Autodiff {
    /**
     * The initial size of a walk's visited set and stack: a model's step has tens of nodes, a
     * long chain thousands; starting at 256 saves the first few doublings and costs about 4 KB.
     */
    private static final int WALK_SIZE_HINT = 256;

    private Autodiff() {
    }

    // ---- recording --------------------------------------------------------------------------

    /** Runs {@code p}'s kernel and, when an input is tracked, hangs a node on the output. */
    static Tensor record(Primitive p, Tensor[] inputs) {
        boolean tracked = false;
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i] == null) {
                throw new NullPointerException(p.name() + ": input " + i + " is null");
            }
            tracked |= nodeOf(inputs[i]) != null;
        }
        Tensor out = p.forward().apply(inputs);
        if (!tracked || !out.dtype().isFloating()) {
            return Node.of(out) == null ? out : Node.attachTo(out, null);
        }
        Node.Op node = new Node.Op(p, inputs.clone());
        Tensor result = Node.attachTo(out, node);
        node.out = result;
        return result;
    }

    /** The node the backward pass follows from {@code t}: none for constants and frozen parameters. */
    static GraphNode nodeOf(Tensor t) {
        if (t instanceof Parameter param && !param.requiresGrad()) {
            return null;
        }
        return Node.of(t);
    }

    /** {@code stop_gradient}: the same values, cut from the graph. */
    static Tensor detach(Tensor t) {
        return Node.of(t) == null ? t : Node.attachTo(t, null);
    }

    // ---- the backward pass ------------------------------------------------------------------

    /**
     * Seeds each output with its sens ({@code sens} null: ones) and sweeps back to
     * {@code targets}, for the gradient call that owns {@code scope}.
     */
    static Cotangents backpropagate(GradScope scope, Value outputs, Value sens, List<? extends Tensor> targets) {
        List<Tensor> outs = new ArrayList<>();
        flatten(outputs, outs);
        List<Tensor> seeds = new ArrayList<>();
        if (sens == null) {
            for (Tensor o : outs) {
                seeds.add(Tensor.onesLike(o));
            }
        } else {
            checkSens(outputs, sens, "");
            flatten(sens, seeds);
        }
        Set<GraphNode> targetNodes = identitySet(targets.size());
        for (Tensor t : targets) {
            GraphNode n = nodeOf(t);
            if (n != null) {
                targetNodes.add(n);
            }
        }
        List<Tensor> roots = new ArrayList<>(outs);
        roots.addAll(seeds); // a tracked sens can tie this call to an enclosing one, too
        Walk walk = topologicalOrder(roots, scope);
        int nodes = walk.order.size(); // sized once: growing identity maps node by node is a resize per doubling
        Set<GraphNode> needed = identitySet(nodes);
        for (GraphNode n : walk.order) { // inputs come before the nodes that use them
            boolean need = targetNodes.contains(n);
            if (!need && n instanceof Node.Op op) {
                for (Tensor in : op.inputs) {
                    GraphNode inNode = nodeOf(in);
                    if (inNode != null && needed.contains(inNode)) {
                        need = true;
                        break;
                    }
                }
            }
            if (need) {
                needed.add(n);
            }
        }
        Map<GraphNode, Tensor> grads = new IdentityHashMap<>(nodes);
        for (int i = 0; i < outs.size(); i++) {
            GraphNode n = nodeOf(outs.get(i));
            if (n != null && needed.contains(n)) {
                grads.merge(n, seeds.get(i), Ops::add);
            }
        }
        for (int k = walk.order.size() - 1; k >= 0; k--) {
            GraphNode n = walk.order.get(k);
            Tensor g = grads.get(n);
            if (g != null && n instanceof Node.Op op && needed.contains(n)) {
                backwardThrough(op, g, needed, grads);
            }
        }
        return new Cotangents(grads, walk.enclosed);
    }

    private static void backwardThrough(Node.Op node, Tensor g, Set<GraphNode> needed, Map<GraphNode, Tensor> grads) {
        Tensor[] in = node.inputs;
        boolean[] needs = new boolean[in.length];
        boolean any = false;
        for (int i = 0; i < in.length; i++) {
            GraphNode n = nodeOf(in[i]);
            needs[i] = n != null && needed.contains(n);
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
            grads.merge(nodeOf(in[i]), gi, Ops::add);
        }
    }

    /** The nodes reachable from the roots, each after all of its inputs' nodes. */
    private record Walk(List<GraphNode> order, boolean enclosed) {
    }

    private static Walk topologicalOrder(List<Tensor> roots, GradScope scope) {
        List<GraphNode> order = new ArrayList<>();
        Set<GraphNode> visited = identitySet(WALK_SIZE_HINT);
        boolean enclosed = false;
        ArrayDeque<Object[]> stack = new ArrayDeque<>(WALK_SIZE_HINT); // {node, next input index}
        for (Tensor root : roots) {
            GraphNode r = nodeOf(root);
            if (r == null || !visited.add(r)) {
                continue;
            }
            stack.push(new Object[] {r, 0});
            while (!stack.isEmpty()) {
                Object[] top = stack.peek();
                GraphNode n = (GraphNode) top[0];
                int i = (Integer) top[1];
                if (n instanceof Node.Op op && i < op.inputs.length) {
                    top[1] = i + 1;
                    GraphNode child = nodeOf(op.inputs[i]);
                    if (child != null && visited.add(child)) {
                        stack.push(new Object[] {child, 0});
                    }
                } else {
                    stack.pop();
                    order.add(n);
                    if (n instanceof Node.Leaf leaf && leaf.scope != scope && leaf.scope.isOpen()) {
                        enclosed = true;
                    }
                }
            }
        }
        return new Walk(order, enclosed);
    }

    /**
     * True when {@code v}'s graph reaches a leaf of an open scope other than {@code scope}: an
     * enclosing level is live for it (used for outputs that were not swept, such as aux values).
     */
    static boolean reachesLiveScope(Value v, GradScope scope) {
        List<Tensor> roots = new ArrayList<>();
        flatten(v, roots);
        return topologicalOrder(roots, scope).enclosed;
    }

    // ---- the sens -----------------------------------------------------------------------------

    private static void checkSens(Value out, Value sens, String path) {
        String where = path.isEmpty() ? "the output" : "output" + path;
        if (sens == null) {
            throw new IllegalArgumentException("GradOperation(sensParam=true): the sens for " + where + " is null");
        }
        if (out.isTuple()) {
            if (!sens.isTuple() || sens.arity() != out.arity()) {
                throw new IllegalArgumentException("GradOperation(sensParam=true): " + where + " is a tuple of "
                        + out.arity() + ", the sens is " + (sens.isTuple() ? "a tuple of " + sens.arity() : "a Tensor"));
            }
            for (int i = 0; i < out.arity(); i++) {
                checkSens(out.get(i), sens.get(i), path + "[" + i + "]");
            }
            return;
        }
        if (sens.isTuple()) {
            throw new IllegalArgumentException("GradOperation(sensParam=true): " + where + " is a Tensor of shape "
                    + Arrays.toString(out.tensor().shape()) + ", the sens is a tuple");
        }
        Tensor o = out.tensor();
        Tensor s = sens.tensor();
        if (!Arrays.equals(o.shape(), s.shape())) {
            throw new IllegalArgumentException("GradOperation(sensParam=true): sens of shape "
                    + Arrays.toString(s.shape()) + " does not match " + where + " of shape " + Arrays.toString(o.shape()));
        }
        if (s.dtype() != o.dtype() && o.dtype() != DType.BOOL) {
            throw new IllegalArgumentException("GradOperation(sensParam=true): sens of dtype " + s.dtype()
                    + " does not match " + where + " of dtype " + o.dtype());
        }
    }

    // ---- results ------------------------------------------------------------------------------

    /**
     * A gradient call's result as it leaves the call: kept in the graph when {@code keep} (an
     * enclosing level is live for it, or {@code createGraph}), else detached. Kept tracked at top
     * level, results would pin the forward graph and, fed into a later call as data, be
     * differentiated through (a parameter's leaf is shared by every call), giving that call wrong
     * gradients.
     */
    static Value release(Value v, boolean keep) {
        if (keep) {
            return v;
        }
        if (v.isTuple()) {
            List<Value> items = new ArrayList<>();
            for (Value e : (Tuple) v) {
                items.add(release(e, false));
            }
            return Tuple.of(items);
        }
        return detach(v.tensor());
    }

    private static void flatten(Value v, List<Tensor> out) {
        if (v.isTuple()) {
            for (Value e : (Tuple) v) {
                flatten(e, out);
            }
        } else {
            out.add(v.tensor());
        }
    }

    private static Set<GraphNode> identitySet(int expected) {
        return Collections.newSetFromMap(new IdentityHashMap<>(expected));
    }
}
