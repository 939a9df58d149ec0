package io.sparkgrad.nn;

import io.sparkgrad.DType;
import io.sparkgrad.Parameter;
import io.sparkgrad.ParameterTuple;
import io.sparkgrad.Tensor;
import io.sparkgrad.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Steps a {@link ParameterTuple} with its gradients, outside any graph. Gradients come as a
 * {@code GradOperation(getByList=true)} result or as one flat buffer laid out like
 * {@link ParameterTuple#flatten()} (what the Spark driver reduces). State (slots and step count)
 * can be exported and restored for checkpoints: an optimizer restored from
 * {@link #exportState()} continues exactly as the original would have.
 *
 * <p>Updates are computed in double precision and stored in the parameter's dtype.
 */
public abstract class Optimizer {
    protected final ParameterTuple params;
    private double learningRate;
    private long step;
    private final Map<String, double[]> slots = new LinkedHashMap<>();

    protected Optimizer(ParameterTuple params, double learningRate) {
        if (!(learningRate >= 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException(kind() + ": learning rate must be finite and >= 0, got " + learningRate);
        }
        this.params = params;
        this.learningRate = learningRate;
    }

    /** A short name stored in the state, e.g. {@code sgd}. */
    public abstract String kind();

    /** Updates parameter {@code i} in place ({@code p}) from its gradient {@code g}. */
    protected abstract void update(int i, double[] p, double[] g, long t, double lr);

    public ParameterTuple parameters() {
        return params;
    }

    public double learningRate() {
        return learningRate;
    }

    /** Sets the learning rate used by later steps (what a schedule calls). */
    public void setLearningRate(double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException(kind() + ": learning rate must be finite and >= 0, got " + lr);
        }
        this.learningRate = lr;
    }

    /** Steps taken so far. */
    public long stepCount() {
        return step;
    }

    /** One step from a tuple of gradients in parameter order (a getByList result). */
    public void step(Value grads) {
        List<Tensor> list = new ArrayList<>();
        if (grads.isTuple()) {
            for (int i = 0; i < grads.arity(); i++) {
                list.add(grads.get(i).tensor());
            }
        } else {
            list.add(grads.tensor());
        }
        step(list);
    }

    /** One step from gradients in parameter order. */
    public void step(List<Tensor> grads) {
        if (grads.size() != params.size()) {
            throw new IllegalArgumentException(kind() + ": got " + grads.size() + " gradients for "
                    + params.size() + " parameters");
        }
        for (int i = 0; i < grads.size(); i++) {
            Parameter p = params.get(i);
            if (!Arrays.equals(grads.get(i).shape(), p.shape())) {
                throw new IllegalArgumentException(kind() + ": gradient " + i + " has shape "
                        + Arrays.toString(grads.get(i).shape()) + ", parameter '" + p.name() + "' has "
                        + Arrays.toString(p.shape()));
            }
        }
        step++;
        for (int i = 0; i < grads.size(); i++) {
            apply(i, grads.get(i).toDoubleArray());
        }
    }

    /** One step from a flat gradient buffer laid out like {@link ParameterTuple#flatten()}. */
    public void step(float[] flatGrads) {
        if (flatGrads.length != params.numel()) {
            throw new IllegalArgumentException(kind() + ": flat gradient has " + flatGrads.length
                    + " values, the parameters have " + params.numel());
        }
        step++;
        int off = 0;
        for (int i = 0; i < params.size(); i++) {
            int n = params.get(i).size();
            double[] g = new double[n];
            for (int j = 0; j < n; j++) {
                g[j] = flatGrads[off + j];
            }
            off += n;
            apply(i, g);
        }
    }

    private void apply(int i, double[] g) {
        Parameter p = params.get(i);
        double[] v = p.toDoubleArray();
        update(i, v, g, step, learningRate);
        if (p.dtype() == DType.FLOAT64) {
            p.assign(Tensor.wrap(v, p.shape()));
        } else {
            float[] f = new float[v.length];
            for (int j = 0; j < v.length; j++) {
                f[j] = (float) v[j];
            }
            p.assign(Tensor.wrap(f, p.shape()));
        }
    }

    /** The slot buffer {@code name} for parameter {@code i}, created as zeros on first use. */
    protected double[] slot(String name, int i, int size) {
        return slots.computeIfAbsent(name + "/" + i, k -> new double[size]);
    }

    /** True when slot {@code name} of parameter {@code i} exists. */
    protected boolean hasSlot(String name, int i) {
        return slots.containsKey(name + "/" + i);
    }

    /** A copy of this optimizer's state. */
    public OptimizerState exportState() {
        return new OptimizerState(kind(), step, learningRate, slots);
    }

    /** Restores a state exported by an optimizer of the same kind over the same parameter shapes. */
    public void importState(OptimizerState s) {
        if (!s.kind().equals(kind())) {
            throw new IllegalArgumentException("cannot restore " + s.kind() + " state into " + kind());
        }
        Map<String, double[]> restored = new LinkedHashMap<>();
        for (String name : s.slotNames()) {
            int slash = name.lastIndexOf('/');
            int i;
            try {
                i = Integer.parseInt(name.substring(slash + 1));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(kind() + " state: bad slot name '" + name + "'");
            }
            if (slash < 0 || i < 0 || i >= params.size() || s.slot(name).length != params.get(i).size()) {
                throw new IllegalArgumentException(kind() + " state: slot '" + name + "' does not fit the parameters");
            }
            restored.put(name, s.slot(name));
        }
        slots.clear();
        slots.putAll(restored);
        step = s.step();
        learningRate = s.learningRate();
    }
}
