package io.sparkgrad.ops;

import io.sparkgrad.GraphNode;
import io.sparkgrad.Tensor;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.TreeSet;

/** Test-only views of a recorded graph (the node types are package-private to the autodiff layer). */
public final class GraphInspection {
    private GraphInspection() {
    }

    /** The names of the primitives recorded in the graph behind {@code out}. */
    public static Set<String> recordedOps(Tensor out) {
        Set<String> names = new TreeSet<>();
        Set<GraphNode> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<GraphNode> todo = new ArrayDeque<>();
        if (Autodiff.nodeOf(out) != null) {
            todo.push(Autodiff.nodeOf(out));
        }
        while (!todo.isEmpty()) {
            GraphNode n = todo.pop();
            if (!seen.add(n) || !(n instanceof Node.Op op)) {
                continue;
            }
            names.add(op.op.name());
            for (Tensor in : op.inputs) {
                if (Autodiff.nodeOf(in) != null) {
                    todo.push(Autodiff.nodeOf(in));
                }
            }
        }
        return names;
    }
}
