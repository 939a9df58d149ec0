package io.sparkgrad;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * An ordered, immutable list of distinct parameters: the weights a {@code GradOperation} with
 * {@code getByList} differentiates with respect to, and the list an optimizer steps.
 */
public final class ParameterTuple implements Iterable<Parameter> {
    private final List<Parameter> params;
    private final List<String> names;

    /** Parameters named by their own {@link Parameter#name()}. */
    public ParameterTuple(List<Parameter> params) {
        this(params, null);
    }

    /**
     * Parameters with the names to report them by, e.g. a cell's hierarchical {@code fc1.weight}
     * ({@code names} null: each parameter's own name).
     */
    public ParameterTuple(List<Parameter> params, List<String> names) {
        Set<Parameter> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Parameter p : params) {
            if (p == null) {
                throw new IllegalArgumentException("ParameterTuple: null parameter");
            }
            if (!seen.add(p)) {
                throw new IllegalArgumentException("ParameterTuple: parameter '" + p.name() + "' appears twice");
            }
        }
        this.params = List.copyOf(params);
        if (names != null && names.size() != params.size()) {
            throw new IllegalArgumentException("ParameterTuple: " + names.size() + " names for " + params.size() + " parameters");
        }
        List<String> n = new ArrayList<>();
        for (int i = 0; i < params.size(); i++) {
            n.add(names == null ? params.get(i).name() : names.get(i));
        }
        this.names = List.copyOf(n);
    }

    public static ParameterTuple of(Parameter... params) {
        return new ParameterTuple(List.of(params));
    }

    public Parameter get(int i) {
        return params.get(i);
    }

    public int size() {
        return params.size();
    }

    public List<Parameter> asList() {
        return params;
    }

    /** The total number of scalar values across all parameters. */
    public int numel() {
        int n = 0;
        for (Parameter p : params) {
            n += p.size();
        }
        return n;
    }

    /** All values, concatenated in order into one flat float buffer. */
    public float[] flatten() {
        float[] out = new float[numel()];
        int off = 0;
        for (Parameter p : params) {
            float[] v = p.toFloatArray();
            System.arraycopy(v, 0, out, off, v.length);
            off += v.length;
        }
        return out;
    }

    /** Loads values from a flat buffer laid out as {@link #flatten()} writes it. */
    public void load(float[] flat) {
        if (flat.length != numel()) {
            throw new IllegalArgumentException("ParameterTuple.load: buffer holds " + flat.length
                    + " values, the parameters need " + numel());
        }
        int off = 0;
        for (Parameter p : params) {
            p.assign(flat, off);
            off += p.size();
        }
    }

    /** The parameters' names, in order (hierarchical when the tuple came from a Cell). */
    public List<String> names() {
        return names;
    }

    @Override
    public Iterator<Parameter> iterator() {
        return params.iterator();
    }

    @Override
    public String toString() {
        return params.toString();
    }
}
