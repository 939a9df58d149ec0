package io.sparkgrad.nn;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An optimizer's exportable state: its kind, the number of steps taken, the learning rate and its
 * slot buffers (momentum, first and second moments), keyed {@code slot/paramIndex}, e.g.
 * {@code m/0}. An immutable value: arrays are copied in and out.
 */
public final class OptimizerState {
    private final String kind;
    private final long step;
    private final double learningRate;
    private final Map<String, double[]> slots;

    public OptimizerState(String kind, long step, double learningRate, Map<String, double[]> slots) {
        this.kind = kind;
        this.step = step;
        this.learningRate = learningRate;
        Map<String, double[]> copy = new LinkedHashMap<>();
        slots.forEach((k, v) -> copy.put(k, v.clone()));
        this.slots = Collections.unmodifiableMap(copy);
    }

    public String kind() {
        return kind;
    }

    public long step() {
        return step;
    }

    public double learningRate() {
        return learningRate;
    }

    /** Slot names, in order. */
    public java.util.Set<String> slotNames() {
        return slots.keySet();
    }

    /** A copy of one slot buffer. */
    public double[] slot(String name) {
        double[] v = slots.get(name);
        if (v == null) {
            throw new IllegalArgumentException(kind + " state has no slot '" + name + "'; it has " + slots.keySet());
        }
        return v.clone();
    }
}
