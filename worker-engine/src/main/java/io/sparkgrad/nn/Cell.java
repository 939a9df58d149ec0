package io.sparkgrad.nn;

import io.sparkgrad.Parameter;
import io.sparkgrad.ParameterTuple;
import io.sparkgrad.Tensor;
import io.sparkgrad.Value;
import io.sparkgrad.ops.Fn;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * MindSpore's {@code nn.Cell}: a differentiable function object that owns {@link Parameter}s and
 * sub-cells. Subclasses implement {@link #construct}; {@code GradOperation} differentiates the cell
 * like any other {@link Fn}.
 *
 * <p>Parameters and sub-cells are the cell's fields (and the elements of fields holding a
 * {@code List} or array of cells), found by reflection in declaration order, superclass fields
 * first, and named hierarchically by field path, e.g. {@code fc1.weight} or {@code layers.0.bias}.
 * (Declaration order is the order HotSpot and OpenJ9 report fields in.) A parameter reachable by
 * two paths is listed once, under its first name.
 *
 * <p>Lifecycle: build the cell (which initialises parameters from explicit seeds), call it; switch
 * {@link #setTrain} for layers such as Dropout. A cell instance is not meant to be shared between
 * threads while an optimizer updates it; Spark tasks each build their own from a factory.
 */
public abstract class Cell implements Fn {
    private boolean training = true;

    /**
     * The forward computation. A Tensor for most cells (declare the override as returning
     * {@code Tensor}); a {@link io.sparkgrad.Tuple} for a cell with several outputs, such as a
     * cell that returns a {@code GradOperation}'s gradients, as in MindSpore.
     */
    public abstract Value construct(Tensor... inputs);

    /** {@link Fn} entry point: runs {@link #construct}. */
    @Override
    public Value call(Tensor... inputs) {
        return construct(inputs);
    }

    /** Runs {@link #construct} for its single Tensor output; a shorthand inside other cells. */
    public Tensor apply(Tensor... inputs) {
        return construct(inputs).tensor();
    }

    /** Every parameter by hierarchical name, in declaration order. */
    public Map<String, Parameter> parametersAndNames() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collect("", out, Collections.newSetFromMap(new IdentityHashMap<>()),
                Collections.newSetFromMap(new IdentityHashMap<>()));
        return out;
    }

    /** Every parameter, in declaration order. */
    public List<Parameter> parameters() {
        return new ArrayList<>(parametersAndNames().values());
    }

    /** The parameters with {@code requiresGrad}, MindSpore's {@code trainable_params()}. */
    public List<Parameter> trainableParams() {
        List<Parameter> out = new ArrayList<>();
        for (Parameter p : parametersAndNames().values()) {
            if (p.requiresGrad()) {
                out.add(p);
            }
        }
        return out;
    }

    /** The trainable parameters as a {@link ParameterTuple}, named hierarchically ({@code fc1.weight}). */
    public ParameterTuple trainableParamTuple() {
        return new ParameterTuple(trainableParams(), trainableParamNames());
    }

    /** The hierarchical names of the trainable parameters, in order. */
    public List<String> trainableParamNames() {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Parameter> e : parametersAndNames().entrySet()) {
            if (e.getValue().requiresGrad()) {
                out.add(e.getKey());
            }
        }
        return out;
    }

    /** Direct sub-cells by name, in declaration order. */
    public Map<String, Cell> cellsAndNames() {
        Map<String, Cell> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : members().entrySet()) {
            if (e.getValue() instanceof Cell) {
                out.put(e.getKey(), (Cell) e.getValue());
            }
        }
        return out;
    }

    /** Switches training mode (Dropout active) on this cell and all sub-cells. */
    public Cell setTrain(boolean mode) {
        forEachCell(c -> c.training = mode, Collections.newSetFromMap(new IdentityHashMap<>()));
        return this;
    }

    public boolean isTraining() {
        return training;
    }

    private void forEachCell(java.util.function.Consumer<Cell> f, Set<Cell> seen) {
        if (!seen.add(this)) {
            return;
        }
        f.accept(this);
        for (Cell c : cellsAndNames().values()) {
            c.forEachCell(f, seen);
        }
    }

    private void collect(String prefix, Map<String, Parameter> out, Set<Parameter> seenP, Set<Cell> seenC) {
        if (!seenC.add(this)) {
            return;
        }
        for (Map.Entry<String, Object> e : members().entrySet()) {
            Object v = e.getValue();
            if (v instanceof Parameter) {
                Parameter p = (Parameter) v;
                if (seenP.add(p)) {
                    out.put(prefix + e.getKey(), p);
                }
            } else if (v instanceof Cell) {
                ((Cell) v).collect(prefix + e.getKey() + ".", out, seenP, seenC);
            }
        }
    }

    /**
     * The parameters and sub-cells this cell holds directly, by name, in order: by default its
     * fields, with list and array elements as {@code field.i}. Containers such as
     * {@link SequentialCell} override this to name their elements.
     */
    protected Map<String, Object> members() {
        List<Class<?>> chain = new ArrayList<>();
        for (Class<?> c = getClass(); c != null && c != Cell.class; c = c.getSuperclass()) {
            chain.add(0, c);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (Class<?> c : chain) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers()) || f.isSynthetic()) {
                    continue;
                }
                Object v;
                try {
                    f.setAccessible(true);
                    v = f.get(this);
                } catch (ReflectiveOperationException | RuntimeException e) {
                    throw new IllegalStateException("cannot read field " + c.getName() + "." + f.getName()
                            + " to find parameters: " + e, e);
                }
                addMember(f.getName(), v, out);
            }
        }
        return out;
    }

    private static void addMember(String name, Object v, Map<String, Object> out) {
        if (v instanceof Parameter || v instanceof Cell) {
            out.put(name, v);
        } else if (v instanceof Collection<?>) {
            int i = 0;
            for (Object e : (Collection<?>) v) {
                if (e instanceof Parameter || e instanceof Cell) {
                    out.put(name + "." + i, e);
                }
                i++;
            }
        } else if (v instanceof Object[]) {
            Object[] arr = (Object[]) v;
            for (int i = 0; i < arr.length; i++) {
                if (arr[i] instanceof Parameter || arr[i] instanceof Cell) {
                    out.put(name + "." + i, arr[i]);
                }
            }
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + parametersAndNames().keySet();
    }
}
