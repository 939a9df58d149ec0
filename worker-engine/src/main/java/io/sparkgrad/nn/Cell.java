package io.sparkgrad.nn;

import io.sparkgrad.Parameter;
import io.sparkgrad.ParameterTuple;
import io.sparkgrad.Tensor;
import io.sparkgrad.Value;
import io.sparkgrad.ops.Fn;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * MindSpore's {@code nn.Cell}: a differentiable function object that owns {@link Parameter}s and
 * sub-cells. Subclasses implement {@link #construct}; {@code GradOperation} differentiates the cell
 * like any other {@link Fn}.
 *
 * <p><b>Members and their order.</b> The parameter order is the flat layout of
 * {@link ParameterTuple#flatten()}, of gradients and of every checkpoint, so it is defined by a
 * rule that does not depend on the JVM:
 * <ol>
 *   <li>Members registered with {@link #insertParamToCell} and {@link #insertChildToCell} (as
 *       MindSpore's {@code insert_param_to_cell} / {@code insert_child_to_cell} and PyTorch's
 *       {@code register_parameter}), in registration order.</li>
 *   <li>Then the cell's fields that hold a {@code Parameter}, a {@code Cell}, or a {@code List} or
 *       array of them (elements named {@code field.i}), superclass fields first, and within a class
 *       in the order of the field table of its class file. {@code javac} writes that table in
 *       source order, so for an ordinary cell this is simply the order its fields are declared in:
 *       {@code Parameter w = ..., b = ...;} lists {@code w} then {@code b}. A field holding a member
 *       that is already registered adds nothing (the registered name wins).</li>
 * </ol>
 * Sub-cells contribute their own members in the same way, named by path, e.g. {@code fc1.weight} or
 * {@code layers.0.bias}. A parameter or cell reachable by two paths is listed once, under its first
 * name. Containers such as {@link SequentialCell} override {@link #members()} instead.
 *
 * <p>Why the class file and not {@link Class#getDeclaredFields()}: the JDK leaves the order of the
 * latter unspecified. Why registration comes first: its order is wholly in the code's hands and
 * needs no class bytes, so a cell that registers every member has a layout that depends on nothing
 * else. If a cell's class bytes cannot be read (a class generated at run time, for example) and one
 * of its fields holds a member that is not registered, the parameter lookup fails with a message
 * saying to register members explicitly; it never falls back to reflection order.
 *
 * <p>Lifecycle: build the cell (which initialises parameters from explicit seeds), call it; switch
 * {@link #setTrain} for layers such as Dropout. A cell instance is not meant to be shared between
 * threads while an optimizer updates it; Spark tasks each build their own from a factory.
 */
public abstract class Cell implements Fn {
    private boolean training = true;
    /** Explicitly registered parameters and sub-cells, in registration order. */
    private final Map<String, Object> registered = new LinkedHashMap<>();
    /** This cell's field layout, read once per instance from its class file (immutable once set). */
    private transient volatile FieldOrder.Layout layout;

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

    /** Every parameter by hierarchical name, in member order (see the class comment). */
    public Map<String, Parameter> parametersAndNames() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collect("", out, Collections.newSetFromMap(new IdentityHashMap<>()),
                Collections.newSetFromMap(new IdentityHashMap<>()));
        return out;
    }

    /** Every parameter, in member order (see the class comment). */
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

    /** Direct sub-cells by name, in member order. */
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
     * Registers {@code param} as a member of this cell under {@code name}, MindSpore's
     * {@code insert_param_to_cell}. Registered members come first, in registration order, before
     * field-declared ones. Returns {@code param}, so a field can be initialised with it:
     * {@code final Parameter w = insertParamToCell("w", new Parameter(...));} (the field then adds
     * nothing more).
     *
     * @throws IllegalArgumentException if the name is empty, contains a dot, or is already registered
     */
    protected final <P extends Parameter> P insertParamToCell(String name, P param) {
        register(name, Objects.requireNonNull(param, "insertParamToCell: parameter '" + name + "' is null"));
        return param;
    }

    /**
     * Registers {@code child} as a sub-cell of this cell under {@code name}, MindSpore's
     * {@code insert_child_to_cell}; ordered like {@link #insertParamToCell}. Returns {@code child}.
     *
     * @throws IllegalArgumentException if the name is empty, contains a dot, or is already registered
     */
    protected final <C extends Cell> C insertChildToCell(String name, C child) {
        register(name, Objects.requireNonNull(child, "insertChildToCell: cell '" + name + "' is null"));
        return child;
    }

    private void register(String name, Object member) {
        Objects.requireNonNull(name, "member name");
        if (name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException(getClass().getName() + ": member name '" + name
                    + "' must be non-empty and contain no '.' (dots separate the levels of a parameter name)");
        }
        if (registered.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getName() + " already has a member registered as '"
                    + name + "'");
        }
        registered.put(name, member);
    }

    /**
     * The parameters and sub-cells this cell holds directly, by name, in order: the registered
     * members, then the field-declared ones in class-file order (see the class comment), with list
     * and array elements as {@code field.i}. Containers such as {@link SequentialCell} override
     * this to name their elements.
     *
     * @throws IllegalStateException if a field holds an unregistered member and the field order of
     *     this cell's class cannot be read, or a field's name is registered for another member
     */
    protected Map<String, Object> members() {
        Map<String, Object> out = new LinkedHashMap<>(registered);
        Set<Object> registeredValues = Collections.newSetFromMap(new IdentityHashMap<>());
        registeredValues.addAll(registered.values());
        FieldOrder.Layout layout = this.layout;
        if (layout == null) {
            layout = FieldOrder.of(getClass());
            this.layout = layout;
        }
        Map<String, Object> fromFields = new LinkedHashMap<>();
        for (Field f : layout.fields()) {
            Object v;
            try {
                v = f.get(this);
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new IllegalStateException("cannot read field " + f.getDeclaringClass().getName() + "."
                        + f.getName() + " to find parameters: " + e, e);
            }
            addMember(f.getName(), v, fromFields);
        }
        for (Map.Entry<String, Object> e : fromFields.entrySet()) {
            Object v = e.getValue();
            if (registeredValues.contains(v)) {
                continue;
            }
            if (layout.unreadable() != null) {
                throw new IllegalStateException(layout.unreadable() + ". Its field '" + e.getKey() + "' holds a "
                        + (v instanceof Parameter ? "Parameter" : "Cell") + " that is not registered, and the"
                        + " parameter order must not depend on reflection order: register it explicitly with "
                        + (v instanceof Parameter ? "insertParamToCell" : "insertChildToCell") + "(\"" + e.getKey()
                        + "\", ...) in the constructor, or override members()");
            }
            if (out.containsKey(e.getKey())) {
                throw new IllegalStateException(getClass().getName() + ": field '" + e.getKey()
                        + "' holds another object than the member registered under that name");
            }
            out.put(e.getKey(), v);
        }
        return out;
    }

    private static void addMember(String name, Object v, Map<String, Object> out) {
        if (v instanceof Parameter || v instanceof Cell) {
            put(name, v, out);
        } else if (v instanceof Collection<?>) {
            int i = 0;
            for (Object e : (Collection<?>) v) {
                if (e instanceof Parameter || e instanceof Cell) {
                    put(name + "." + i, e, out);
                }
                i++;
            }
        } else if (v instanceof Object[]) {
            Object[] arr = (Object[]) v;
            for (int i = 0; i < arr.length; i++) {
                if (arr[i] instanceof Parameter || arr[i] instanceof Cell) {
                    put(name + "." + i, arr[i], out);
                }
            }
        }
    }

    /** A subclass field hiding a superclass field of the same name: both cannot be listed by name. */
    private static void put(String name, Object v, Map<String, Object> out) {
        if (out.putIfAbsent(name, v) != null) {
            throw new IllegalStateException("two fields named '" + name + "' (a subclass field hides a superclass"
                    + " field) both hold members; rename one");
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + parametersAndNames().keySet();
    }
}
