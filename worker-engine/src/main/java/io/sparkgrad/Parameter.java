package io.sparkgrad;

import java.util.Arrays;
import java.util.Objects;

/**
 * A named trainable tensor, MindSpore's {@code Parameter(Tensor, name, requires_grad=True)}.
 *
 * <p>A parameter carries one leaf node, shared by every graph it takes part in, so
 * {@code GradOperation(getByList=true)} can return its gradient. With {@code requiresGrad=false}
 * the autodiff layer treats it as a constant (the rule lives with the backward pass, in
 * {@code io.sparkgrad.ops}), and {@code Cell.trainableParams()} leaves it out. Its values change only
 * through {@link #assign}, which optimizers call between gradient calls. A parameter holds no
 * gradient: gradients are returned by the gradient call, never stored here.
 */
public final class Parameter extends Tensor {
    private final String name;
    private volatile boolean requiresGrad;

    public Parameter(Tensor data, String name) {
        this(data, name, true);
    }

    public Parameter(Tensor data, String name, boolean requiresGrad) {
        super(data.shape(), data.dtype(),
                data.floatStorage() == null ? null : data.floatStorage().clone(),
                data.doubleStorage() == null ? null : data.doubleStorage().clone(), new Leaf());
        if (!data.dtype().isFloating()) {
            throw new IllegalArgumentException("Parameter '" + name + "' must be floating point, not " + data.dtype());
        }
        this.name = Objects.requireNonNull(name, "name");
        this.requiresGrad = requiresGrad;
    }

    /**
     * A parameter's leaf: one per parameter, shared by every gradient call that reads it (as in
     * PyTorch). A cell reads its parameters from its fields on whatever thread calls it, so a
     * parameter cannot be given a fresh leaf per call without state shared between threads; see
     * {@code io.sparkgrad.ops.GradScope} for what this means for nested calls.
     */
    private static final class Leaf extends GraphNode {
        @Override
        public String toString() {
            return "parameter leaf";
        }
    }

    public String name() {
        return name;
    }

    public boolean requiresGrad() {
        return requiresGrad;
    }

    public void setRequiresGrad(boolean requiresGrad) {
        this.requiresGrad = requiresGrad;
    }

    /** Copies {@code value} into this parameter; shape and dtype must match. */
    public void assign(Tensor value) {
        if (!Arrays.equals(value.shape(), shape()) || value.dtype() != dtype()) {
            throw new IllegalArgumentException("assign to Parameter '" + name + "': value of shape "
                    + Arrays.toString(value.shape()) + " " + value.dtype() + " does not match "
                    + Arrays.toString(shape()) + " " + dtype());
        }
        if (dtype() == DType.FLOAT64) {
            System.arraycopy(value.doubleStorage(), 0, doubleStorage(), 0, size());
        } else {
            System.arraycopy(value.floatStorage(), 0, floatStorage(), 0, size());
        }
    }

    /** Copies {@code values} (row-major, length {@code size()}) into this parameter. */
    public void assign(float[] values, int offset) {
        if (offset < 0 || offset + size() > values.length) {
            throw new IllegalArgumentException("assign to Parameter '" + name + "': need " + size()
                    + " values from offset " + offset + ", buffer holds " + values.length);
        }
        if (dtype() == DType.FLOAT64) {
            double[] d = doubleStorage();
            for (int i = 0; i < d.length; i++) {
                d[i] = values[offset + i];
            }
        } else {
            System.arraycopy(values, offset, floatStorage(), 0, size());
        }
    }

    /** The current values as a plain tensor (a copy, outside any graph). */
    public Tensor value() {
        return copy();
    }

    /** MindSpore's repr: {@code Parameter (name=w, shape=(1,), dtype=Float32, requires_grad=True)}. */
    @Override
    public String toString() {
        int[] s = shape();
        StringBuilder sh = new StringBuilder("(");
        for (int i = 0; i < s.length; i++) {
            sh.append(s[i]).append(s.length == 1 ? "," : (i + 1 < s.length ? ", " : ""));
        }
        sh.append(')');
        return "Parameter (name=" + name + ", shape=" + sh + ", dtype=" + dtype() + ", requires_grad="
                + (requiresGrad ? "True" : "False") + ")";
    }
}
