package io.sparkgrad.ops;

import io.sparkgrad.Tensor;

/**
 * One gradient call's trace level: it owns the leaves of the inputs that call differentiates, and
 * is open while the call runs. {@link GradOperation} opens one per call; code that records a graph
 * by hand (benchmarks, coverage tests) can open one explicitly:
 * <pre>{@code
 * try (GradScope scope = GradScope.open()) {
 *     Tensor x = scope.watch(data);   // a fresh leaf, owned by this scope
 *     Tensor y = Ops.tanh(x);         // recorded: y carries a graph node
 * }
 * }</pre>
 *
 * <h2>How nesting is decided: by the data and the scope</h2>
 * Gradients of gradients need the inner call's results to stay in the graph, so the enclosing
 * call can differentiate through them; a top-level call's results must not (they would pin the
 * forward graph and, fed into a later call as data, be differentiated through). The engine
 * decides between the two from the tensors alone, never from the call stack or the thread:
 * <ul>
 *   <li>As in JAX, each call opens its own level, and watching an input gives it a <em>fresh</em>
 *       leaf owned by this scope. If the input is already tracked by an enclosing call, watching
 *       it records an identity node instead, which keeps the outer graph connected.</li>
 *   <li>A call's results stay tracked exactly when its graph (the outputs' and the sens') reaches
 *       a leaf of <em>another scope that is still open</em>: an enclosing level is live for those
 *       tensors. That holds whichever thread the inner call runs on (a parallel stream, an
 *       executor, a Spark task thread), and no renaming or refactoring of the API can switch it
 *       off.</li>
 *   <li>A {@code Parameter} is the exception. A cell reads its parameters from its own fields, on
 *       every thread that calls it, so a parameter cannot get a fresh leaf per call without state
 *       shared between threads; it has one leaf shared by every call, as in PyTorch, and that
 *       leaf says nothing about which call is enclosing which. Higher-order code whose only link
 *       to the enclosing call is a parameter (a gradient penalty or a Hessian with respect to the
 *       weights) therefore says so, with PyTorch's flag:
 *       {@code GradOperation.builder().createGraph(true)} on the inner operation.</li>
 * </ul>
 * We chose this over PyTorch's flag alone because MindSpore code nests {@code GradOperation}
 * through inputs without any flag, and a forgotten flag there would silently drop the
 * second-order term; here, that case needs none.
 *
 * <p>A scope holds no reference to the tensors it tracked; closing it only marks it closed, after
 * which its leaves no longer make other calls' results tracked. Thread-safe: {@link #isOpen()} is
 * read by calls on any thread.
 */
public final class GradScope implements AutoCloseable {
    private volatile boolean open = true;

    private GradScope() {
    }

    /** Opens a new level, owned by the caller, who closes it. */
    public static GradScope open() {
        return new GradScope();
    }

    /**
     * {@code t} as an input to differentiate with respect to: its storage with a fresh leaf of
     * this scope, or, when {@code t} is already tracked (by an enclosing call, or as a parameter),
     * an identity node over it that keeps the outer graph connected.
     */
    public Tensor watch(Tensor t) {
        if (!open) {
            throw new IllegalStateException("watch: this GradScope is closed");
        }
        if (!t.dtype().isFloating()) {
            throw new IllegalArgumentException("watch: a " + t.dtype() + " tensor cannot be differentiated");
        }
        if (Autodiff.nodeOf(t) != null) {
            return Primitives.IDENTITY.apply(t);
        }
        return Node.attachTo(t, new Node.Leaf(this));
    }

    /** True until {@link #close()}. */
    public boolean isOpen() {
        return open;
    }

    /** Ends this level; idempotent. */
    @Override
    public void close() {
        open = false;
    }

    @Override
    public String toString() {
        return "GradScope@" + Integer.toHexString(System.identityHashCode(this)) + (open ? "" : " (closed)");
    }
}
