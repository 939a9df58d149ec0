package io.sparkgrad.ops;

import io.sparkgrad.Tensor;

import java.util.Objects;

/**
 * A primitive op: its forward kernel and its vector-Jacobian product (VJP) rule, side by side.
 * Every primitive is defined in {@link Primitives}; everything else (sub,
 * sigmoid, softmax, the losses, ...) is a composite of primitives and needs no rule.
 *
 * <p>A VJP rule is written in Tensor ops (through {@link Ops}), never on raw arrays: applied to
 * tracked tensors it records its own graph, so gradients of gradients need no extra code. The rule
 * may return a gradient shaped like the broadcast output; the backward pass ({@link Autodiff})
 * sums it back to the input's shape. Entries for inputs that need no gradient ({@code needs[i] == false}) may be null.
 */
public final class Primitive {

    /** The forward kernel: computes the output from the input values, ignoring graph nodes. */
    @FunctionalInterface
    public interface Forward {
        Tensor apply(Tensor[] in);
    }

    /** The VJP rule: given the output's cotangent {@code g}, the cotangent of each input. */
    @FunctionalInterface
    public interface Vjp {
        Tensor[] apply(Tensor g, Tensor[] in, Tensor out, boolean[] needs);
    }

    private final String name;
    private final Forward forward;
    private final Vjp vjp;

    private Primitive(String name, Forward forward, Vjp vjp) {
        this.name = Objects.requireNonNull(name);
        this.forward = Objects.requireNonNull(forward);
        this.vjp = vjp;
    }

    /** A differentiable primitive. */
    public static Primitive of(String name, Forward forward, Vjp vjp) {
        return new Primitive(name, forward, Objects.requireNonNull(vjp, "vjp"));
    }

    /**
     * A primitive without a gradient rule. Its Bool outputs are constants; a floating output that
     * the backward pass reaches fails with "no gradient rule for NAME".
     */
    public static Primitive nonDifferentiable(String name, Forward forward) {
        return new Primitive(name, forward, null);
    }

    public String name() {
        return name;
    }

    public boolean differentiable() {
        return vjp != null;
    }

    Forward forward() {
        return forward;
    }

    Vjp vjp() {
        return vjp;
    }

    /** Applies this primitive, recording a graph node when an input is tracked. */
    public Tensor apply(Tensor... inputs) {
        return Autodiff.record(this, inputs);
    }

    @Override
    public String toString() {
        return name;
    }
}
