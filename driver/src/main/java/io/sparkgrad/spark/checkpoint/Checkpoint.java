package io.sparkgrad.spark.checkpoint;

import io.sparkgrad.Parameter;
import io.sparkgrad.ParameterTuple;
import io.sparkgrad.nn.Optimizer;
import io.sparkgrad.nn.OptimizerState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One training checkpoint: where training stood ({@link #step()}, {@link #epoch()}, the run's
 * {@link #seed()}), what model it belongs to ({@link #modelSpec()}, parameter names and shapes),
 * the parameter values as one flat buffer laid out like {@link ParameterTuple#flatten()}, and the
 * optimizer's {@link OptimizerState}, and, when the run stops early on a validation set, where that
 * decision stands ({@link #earlyStopping()}, an {@link EarlyStoppingState}).
 *
 * <p>Format versions: a checkpoint without early-stopping state is version
 * {@value #BASE_FORMAT_VERSION}, byte for byte what earlier releases wrote and read; one with it is
 * version {@value #CURRENT_FORMAT_VERSION}, which appends an early-stopping section. Readers accept
 * both.
 *
 * <p>An immutable value: every array is copied in and every accessor returns a copy. Build one with
 * {@link #of} from a live model and optimizer, or field by field with {@link #builder()}; both
 * validate the fields (non-negative step and epoch, one shape per name, non-negative dimensions,
 * and a value count equal to the total element count of the shapes).
 *
 * <p>Values are stored as {@code float}: a {@code FLOAT64} parameter is narrowed to {@code float}
 * by {@link ParameterTuple#flatten()}, so restoring it is exact only for values representable as
 * floats. Optimizer slots are {@code double} and are kept exactly.
 *
 * <p>{@link #equals} compares all fields, floats and doubles by bit pattern.
 */
public final class Checkpoint {
    /**
     * The newest checkpoint file format version, which this code writes for a checkpoint with
     * {@link #earlyStopping()} state (see {@code docs/CHECKPOINT_FORMAT.md}).
     */
    public static final int CURRENT_FORMAT_VERSION = 2;
    /** The format version written for a checkpoint without early-stopping state (the first version). */
    public static final int BASE_FORMAT_VERSION = 1;

    private final int formatVersion;
    private final long step;
    private final int epoch;
    private final long seed;
    private final String modelSpec;
    private final List<String> paramNames;
    private final List<int[]> paramShapes;
    private final float[] values;
    private final OptimizerState optimizerState;
    /** Null when the run keeps no early-stopping state (format version 1). */
    private final EarlyStoppingState earlyStopping;

    private Checkpoint(Builder b) {
        int version = b.formatVersion == 0 ? (b.earlyStopping == null ? BASE_FORMAT_VERSION : CURRENT_FORMAT_VERSION)
                : b.formatVersion;
        if (version < 1) {
            throw new IllegalArgumentException("Checkpoint: format version must be >= 1, got " + b.formatVersion);
        }
        if (version == BASE_FORMAT_VERSION && b.earlyStopping != null) {
            throw new IllegalArgumentException("Checkpoint: format version 1 cannot hold early-stopping state");
        }
        if (version == CURRENT_FORMAT_VERSION && b.earlyStopping == null) {
            throw new IllegalArgumentException("Checkpoint: format version 2 needs early-stopping state");
        }
        if (b.step < 0) {
            throw new IllegalArgumentException("Checkpoint: step must be >= 0, got " + b.step);
        }
        if (b.epoch < 0) {
            throw new IllegalArgumentException("Checkpoint: epoch must be >= 0, got " + b.epoch);
        }
        Objects.requireNonNull(b.modelSpec, "Checkpoint: modelSpec");
        Objects.requireNonNull(b.paramNames, "Checkpoint: parameter names");
        Objects.requireNonNull(b.paramShapes, "Checkpoint: parameter shapes");
        Objects.requireNonNull(b.values, "Checkpoint: parameter values");
        Objects.requireNonNull(b.optimizerState, "Checkpoint: optimizer state");
        if (b.paramNames.size() != b.paramShapes.size()) {
            throw new IllegalArgumentException("Checkpoint: " + b.paramNames.size() + " parameter names but "
                    + b.paramShapes.size() + " shapes");
        }
        List<int[]> shapes = new ArrayList<>(b.paramShapes.size());
        long total = 0;
        for (int i = 0; i < b.paramShapes.size(); i++) {
            String name = Objects.requireNonNull(b.paramNames.get(i), "Checkpoint: parameter name " + i);
            int[] shape = Objects.requireNonNull(b.paramShapes.get(i), "Checkpoint: shape of parameter '" + name + "'");
            long n = 1;
            for (int d : shape) {
                if (d < 0) {
                    throw new IllegalArgumentException("Checkpoint: parameter '" + name + "' has negative dimension in "
                            + Arrays.toString(shape));
                }
                n = Math.multiplyExact(n, d);
            }
            total = Math.addExact(total, n);
            shapes.add(shape.clone());
        }
        if (total != b.values.length) {
            throw new IllegalArgumentException("Checkpoint: shapes hold " + total + " values but " + b.values.length
                    + " values were given");
        }
        OptimizerState s = b.optimizerState;
        Objects.requireNonNull(s.kind(), "Checkpoint: optimizer kind");
        for (String slot : s.slotNames()) {
            Objects.requireNonNull(slot, "Checkpoint: optimizer slot name");
        }
        if (b.earlyStopping != null && b.earlyStopping.numel() != b.values.length) {
            throw new IllegalArgumentException("Checkpoint: the early-stopping state holds " + b.earlyStopping.numel()
                    + " best values, the parameters " + b.values.length);
        }
        this.formatVersion = version;
        this.step = b.step;
        this.epoch = b.epoch;
        this.seed = b.seed;
        this.modelSpec = b.modelSpec;
        this.paramNames = List.copyOf(b.paramNames);
        this.paramShapes = List.copyOf(shapes);
        this.values = b.values.clone();
        this.optimizerState = copyOf(s);
        this.earlyStopping = b.earlyStopping;
    }

    /**
     * A checkpoint of a live model: names, shapes and values of {@code params} and the optimizer
     * state {@code opt} (usually {@code optimizer.exportState()}), without early-stopping state
     * (format version 1).
     */
    public static Checkpoint of(long step, int epoch, long seed, String modelSpec, ParameterTuple params,
            OptimizerState opt) {
        return of(step, epoch, seed, modelSpec, params, opt, null);
    }

    /**
     * As {@link #of(long, int, long, String, ParameterTuple, OptimizerState)}, with the run's
     * early-stopping state {@code es} (format version 2), or none if it is null (version 1).
     */
    public static Checkpoint of(long step, int epoch, long seed, String modelSpec, ParameterTuple params,
            OptimizerState opt, EarlyStoppingState es) {
        List<int[]> shapes = new ArrayList<>();
        for (Parameter p : params) {
            shapes.add(p.shape());
        }
        return builder().step(step).epoch(epoch).seed(seed).modelSpec(modelSpec).paramNames(params.names())
                .paramShapes(shapes).values(params.flatten()).optimizerState(opt).earlyStopping(es).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder preset with this checkpoint's fields; the format version is left to follow the
     * content (unless it is one this code does not write).
     */
    public Builder toBuilder() {
        boolean derived = formatVersion == BASE_FORMAT_VERSION || formatVersion == CURRENT_FORMAT_VERSION;
        return builder().formatVersion(derived ? 0 : formatVersion).step(step).epoch(epoch).seed(seed).modelSpec(modelSpec)
                .paramNames(paramNames).paramShapes(paramShapes).values(values).optimizerState(optimizerState)
                .earlyStopping(earlyStopping);
    }

    /**
     * Loads this checkpoint into a model and its optimizer. First checks that {@code params} has the
     * same parameters (count, names and shapes, in order) as this checkpoint and, when {@code opt} is
     * not null, that it steps parameters of the same shapes and is of the same kind; on the first
     * mismatch it throws an {@link IllegalArgumentException} naming the parameter with the expected
     * (checkpoint) and found (model) shape, and changes nothing. Then restores the optimizer state
     * (which validates its slots before changing anything) and the parameter values.
     *
     * @param opt the optimizer to restore, or null to restore the parameters only
     */
    public void restoreInto(ParameterTuple params, Optimizer opt) {
        checkMatches(params, "model");
        if (opt != null) {
            if (!optimizerState.kind().equals(opt.kind())) {
                throw new IllegalArgumentException("checkpoint at step " + step + " holds " + optimizerState.kind()
                        + " optimizer state, cannot restore it into a " + opt.kind() + " optimizer");
            }
            if (opt.parameters() != params) {
                checkMatches(opt.parameters(), "optimizer");
            }
            // importState validates every slot before it replaces anything.
            opt.importState(optimizerState);
        }
        params.load(values);
    }

    private void checkMatches(ParameterTuple params, String what) {
        int n = Math.min(params.size(), paramNames.size());
        for (int i = 0; i < n; i++) {
            Parameter p = params.get(i);
            String name = params.names().get(i);
            String expectedName = paramNames.get(i);
            int[] expected = paramShapes.get(i);
            if (!expectedName.equals(name) || !Arrays.equals(expected, p.shape())) {
                throw new IllegalArgumentException("checkpoint at step " + step + " does not match the " + what
                        + ": parameter " + i + " expected '" + expectedName + "' of shape " + Arrays.toString(expected)
                        + ", found '" + name + "' of shape " + Arrays.toString(p.shape()));
            }
        }
        if (params.size() != paramNames.size()) {
            String first = params.size() > paramNames.size()
                    ? "first extra parameter in the " + what + ": '" + params.names().get(n) + "' of shape "
                            + Arrays.toString(params.get(n).shape())
                    : "first missing parameter: '" + paramNames.get(n) + "' of shape "
                            + Arrays.toString(paramShapes.get(n));
            throw new IllegalArgumentException("checkpoint at step " + step + " has " + paramNames.size()
                    + " parameters, the " + what + " has " + params.size() + "; " + first);
        }
    }

    public int formatVersion() {
        return formatVersion;
    }

    public long step() {
        return step;
    }

    public int epoch() {
        return epoch;
    }

    public long seed() {
        return seed;
    }

    public String modelSpec() {
        return modelSpec;
    }

    /** Parameter names, in {@link ParameterTuple} order (unmodifiable). */
    public List<String> paramNames() {
        return paramNames;
    }

    /** Parameter shapes, in order (copies). */
    public List<int[]> paramShapes() {
        List<int[]> out = new ArrayList<>(paramShapes.size());
        for (int[] s : paramShapes) {
            out.add(s.clone());
        }
        return out;
    }

    /** The shape of parameter {@code i} (a copy). */
    public int[] paramShape(int i) {
        return paramShapes.get(i).clone();
    }

    public int paramCount() {
        return paramNames.size();
    }

    /** The number of scalar values, {@code values().length}, without copying. */
    public int numel() {
        return values.length;
    }

    /** All parameter values, laid out like {@link ParameterTuple#flatten()} (a copy). */
    public float[] values() {
        return values.clone();
    }

    /** Value {@code i} of the flat buffer, without copying it. */
    float value(int i) {
        return values[i];
    }

    /** The optimizer state (itself an immutable copy). */
    public OptimizerState optimizerState() {
        return optimizerState;
    }

    /**
     * Where the run's early-stopping decision stood at this step, or null if the checkpoint holds
     * none (format version 1: the run had no early stopping, or had not evaluated yet).
     */
    public EarlyStoppingState earlyStopping() {
        return earlyStopping;
    }

    private static OptimizerState copyOf(OptimizerState s) {
        Map<String, double[]> slots = new LinkedHashMap<>();
        for (String name : s.slotNames()) {
            slots.put(name, s.slot(name));
        }
        return new OptimizerState(s.kind(), s.step(), s.learningRate(), slots);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Checkpoint)) {
            return false;
        }
        Checkpoint c = (Checkpoint) o;
        if (formatVersion != c.formatVersion || step != c.step || epoch != c.epoch || seed != c.seed
                || !modelSpec.equals(c.modelSpec) || !paramNames.equals(c.paramNames)
                || paramShapes.size() != c.paramShapes.size()) {
            return false;
        }
        for (int i = 0; i < paramShapes.size(); i++) {
            if (!Arrays.equals(paramShapes.get(i), c.paramShapes.get(i))) {
                return false;
            }
        }
        if (values.length != c.values.length) {
            return false;
        }
        for (int i = 0; i < values.length; i++) {
            if (Float.floatToRawIntBits(values[i]) != Float.floatToRawIntBits(c.values[i])) {
                return false;
            }
        }
        return stateEquals(optimizerState, c.optimizerState) && EarlyStoppingState.same(earlyStopping, c.earlyStopping);
    }

    private static boolean stateEquals(OptimizerState a, OptimizerState b) {
        if (!a.kind().equals(b.kind()) || a.step() != b.step()
                || Double.doubleToRawLongBits(a.learningRate()) != Double.doubleToRawLongBits(b.learningRate())) {
            return false;
        }
        Set<String> names = a.slotNames();
        if (!List.copyOf(names).equals(List.copyOf(b.slotNames()))) {
            return false;
        }
        for (String n : names) {
            double[] x = a.slot(n);
            double[] y = b.slot(n);
            if (x.length != y.length) {
                return false;
            }
            for (int i = 0; i < x.length; i++) {
                if (Double.doubleToRawLongBits(x[i]) != Double.doubleToRawLongBits(y[i])) {
                    return false;
                }
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return Objects.hash(formatVersion, step, epoch, seed, modelSpec, paramNames, values.length,
                optimizerState.kind(), optimizerState.step());
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Checkpoint(v").append(formatVersion).append(", step=").append(step)
                .append(", epoch=").append(epoch).append(", seed=").append(seed).append(", model=\"")
                .append(modelSpec).append("\", params=[");
        for (int i = 0; i < paramNames.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(paramNames.get(i)).append(Arrays.toString(paramShapes.get(i)));
        }
        return sb.append("], numel=").append(values.length).append(", optimizer=").append(optimizerState.kind())
                .append("@").append(optimizerState.step())
                .append(earlyStopping == null ? "" : ", best step " + earlyStopping.bestStep()).append(')').toString();
    }

    /** Field-by-field construction of a {@link Checkpoint}; {@link #build()} validates. */
    public static final class Builder {
        /** 0: chosen from the content (1 without early-stopping state, 2 with). */
        private int formatVersion;
        private long step;
        private int epoch;
        private long seed;
        private String modelSpec = "";
        private List<String> paramNames = List.of();
        private List<int[]> paramShapes = List.of();
        private float[] values = new float[0];
        private OptimizerState optimizerState;
        private EarlyStoppingState earlyStopping;

        private Builder() {
        }

        /**
         * The format version; by default (or 0) the lowest that holds the content: 1 without
         * early-stopping state, 2 with.
         */
        public Builder formatVersion(int v) {
            formatVersion = v;
            return this;
        }

        public Builder step(long v) {
            step = v;
            return this;
        }

        public Builder epoch(int v) {
            epoch = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder modelSpec(String v) {
            modelSpec = v;
            return this;
        }

        public Builder paramNames(List<String> v) {
            paramNames = v == null ? null : new ArrayList<>(v);
            return this;
        }

        public Builder paramShapes(List<int[]> v) {
            paramShapes = v == null ? null : new ArrayList<>(v);
            return this;
        }

        public Builder values(float[] v) {
            values = v;
            return this;
        }

        public Builder optimizerState(OptimizerState v) {
            optimizerState = v;
            return this;
        }

        /** Early-stopping state, or null for none. */
        public Builder earlyStopping(EarlyStoppingState v) {
            earlyStopping = v;
            return this;
        }

        public Checkpoint build() {
            return new Checkpoint(this);
        }
    }
}
