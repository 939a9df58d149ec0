package io.sparkgrad.spark;

import io.sparkgrad.DType;
import io.sparkgrad.Tensor;
import io.sparkgrad.nn.Cell;
import io.sparkgrad.nn.Dense;
import io.sparkgrad.nn.ReLU;
import io.sparkgrad.nn.SequentialCell;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A model described by text, as the command line takes it, and a serializable factory for it:
 * <ul>
 *   <li>{@code logreg}: one Dense layer from the inputs to {@code outputs} logits;</li>
 *   <li>{@code mlp:64,128,10}: Dense layers with ReLU between them; the last number is the
 *       output width;</li>
 *   <li>{@code class:com.acme.MyFactory}, or the bare class name {@code com.acme.MyFactory}: a
 *       user's own {@link ModelFactory}, a public class with either a public
 *       {@code (int inputDim, int outputs, long seed)} constructor (it is told the data's width,
 *       the outputs the loss needs and the seed) or a public no-argument one. The class must be on
 *       the driver's and the executors' class path (a {@code --jars} jar); it is instantiated by
 *       name wherever a model is built, so nothing of it is Java-serialised into a saved model. Its
 *       cell must take {@code [n, inputDim]} and give {@code [n, outputs]}: {@link #parse} builds
 *       one and checks on a row of zeros.</li>
 * </ul>
 * Dense layer {@code i} of {@code logreg} and {@code mlp} is initialised from {@code seed + i}, with
 * parameters of {@code dtype} (FLOAT32 unless {@link #withDtype} says FLOAT64, see
 * {@link Precision}). A {@code class:} spec records its outputs as its one width; its factory
 * chooses its own dtype.
 */
public record ModelSpec(String text, int inputDim, int[] widths, long seed, DType dtype) implements ModelFactory {
    private static final long serialVersionUID = 1L;
    /** The prefix of a user's factory class. */
    public static final String CLASS_PREFIX = "class:";
    private static final Pattern CLASS_NAME = Pattern.compile("[\\p{L}_$][\\p{L}\\p{N}_$]*(\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)*");
    private static final Pattern MLP = Pattern.compile("mlp:\\s*\\d+(\\s*,\\s*\\d+)*\\s*");

    /** A FLOAT32 spec. */
    public ModelSpec(String text, int inputDim, int[] widths, long seed) {
        this(text, inputDim, widths, seed, DType.FLOAT32);
    }

    public ModelSpec {
        if (dtype != DType.FLOAT32 && dtype != DType.FLOAT64) {
            throw new IllegalArgumentException("model '" + text + "': parameters are FLOAT32 or FLOAT64, not " + dtype);
        }
    }

    /**
     * The same model with parameters of {@code d}: FLOAT64 computes each step in double
     * ({@link Precision}) while parameters still travel and are saved as float32.
     */
    public ModelSpec withDtype(DType d) {
        if (isUserClass() && d != DType.FLOAT32) {
            throw new IllegalArgumentException("model '" + text + "': a factory class chooses its own dtype");
        }
        return new ModelSpec(text, inputDim, widths, seed, d);
    }


    /**
     * Checks the form of a spec without building anything (no class is loaded): {@code logreg},
     * {@code mlp:W1,...,OUT}, {@code class:NAME} or a qualified class name (with a dot).
     */
    public static boolean isWellFormed(String spec) {
        String s = spec == null ? "" : spec.trim();
        if (s.equals("logreg") || MLP.matcher(s).matches()) {
            return true;
        }
        String cls = className(s);
        return cls != null && CLASS_NAME.matcher(cls).matches();
    }

    /**
     * Throws the {@link IllegalArgumentException} {@link #parse} would for a malformed spec, without
     * loading any class or building any cell: the check a command line makes before Spark starts.
     */
    public static void checkSyntax(String spec) {
        String s = spec.trim();
        if (checkedClassName(spec, s) == null) {
            parse(s, 1, 2, 0);
        }
    }

    /** {@link #className}, refused when it is not a class name. */
    private static String checkedClassName(String spec, String s) {
        String cls = className(s);
        if (cls != null && !CLASS_NAME.matcher(cls).matches()) {
            throw new IllegalArgumentException("model '" + spec + "': '" + cls + "' is not a class name");
        }
        return cls;
    }

    /** The factory class a {@code class:} (or bare qualified-name) spec names, else null. */
    private static String className(String s) {
        if (s.startsWith(CLASS_PREFIX)) {
            return s.substring(CLASS_PREFIX.length()).trim();
        }
        return s.contains(".") && !s.contains(":") ? s : null;
    }

    /**
     * Parses {@code spec}; {@code outputs} is the width of {@code logreg}'s single layer and what a
     * user's factory class is asked for (and checked to give).
     */
    public static ModelSpec parse(String spec, int inputDim, int outputs, long seed) {
        String s = spec.trim();
        if (inputDim <= 0) {
            throw new IllegalArgumentException("model '" + spec + "': input dimension must be positive, got " + inputDim);
        }
        String cls = checkedClassName(spec, s);
        if (cls != null) {
            ModelSpec m = new ModelSpec(CLASS_PREFIX + cls, inputDim, new int[] {outputs}, seed);
            m.checkOutputs();
            return m;
        }
        if (s.equals("logreg")) {
            return new ModelSpec(s, inputDim, new int[] {outputs}, seed);
        }
        if (s.startsWith("mlp:")) {
            String[] parts = s.substring(4).split(",");
            int[] widths = new int[parts.length];
            for (int i = 0; i < parts.length; i++) {
                try {
                    widths[i] = Integer.parseInt(parts[i].trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("model '" + spec + "': layer width '" + parts[i] + "' is not a number");
                }
                if (widths[i] <= 0) {
                    throw new IllegalArgumentException("model '" + spec + "': layer width " + widths[i] + " must be positive");
                }
            }
            return new ModelSpec(s, inputDim, widths, seed);
        }
        throw new IllegalArgumentException("model '" + spec + "': expected 'logreg', 'mlp:W1,W2,...,OUT' or "
                + "'class:NAME' (a ModelFactory class)");
    }

    /** Whether this spec names a user's factory class. */
    public boolean isUserClass() {
        return text.startsWith(CLASS_PREFIX);
    }

    /** Builds one cell and checks that a row of zeros gives {@code [1, outputDim()]}. */
    private void checkOutputs() {
        Cell c = create();
        int[] shape;
        try {
            shape = c.apply(Tensor.zeros(Precision.of(c), 1, inputDim)).shape();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("model '" + text + "': its cell fails on a [1, " + inputDim
                    + "] input: " + e.getMessage(), e);
        }
        if (shape.length != 2 || shape[0] != 1 || shape[1] != outputDim()) {
            throw new IllegalArgumentException("model '" + text + "': its cell maps a [1, " + inputDim + "] input to "
                    + java.util.Arrays.toString(shape) + ", but [1, " + outputDim() + "] is needed");
        }
    }

    /** A new instance of the user's factory class, told the widths and seed if it takes them. */
    private ModelFactory userFactory() {
        String name = text.substring(CLASS_PREFIX.length());
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        Class<?> c;
        try {
            c = Class.forName(name, true, loader != null ? loader : ModelSpec.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalArgumentException("model '" + text + "': class " + name + " is not on the class path"
                    + " (add its jar with --jars)", e);
        }
        if (!ModelFactory.class.isAssignableFrom(c) || !Modifier.isPublic(c.getModifiers())
                || Modifier.isAbstract(c.getModifiers())) {
            throw new IllegalArgumentException("model '" + text + "': class " + name
                    + " must be a public, non-abstract implementation of " + ModelFactory.class.getName());
        }
        try {
            Constructor<?> k;
            try {
                k = c.getConstructor(int.class, int.class, long.class);
                return (ModelFactory) k.newInstance(inputDim, outputDim(), seed);
            } catch (NoSuchMethodException e) {
                k = c.getConstructor();
                return (ModelFactory) k.newInstance();
            }
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException("model '" + text + "': class " + name + " has neither a public "
                    + "(int inputDim, int outputs, long seed) constructor nor a public no-argument one", e);
        } catch (InvocationTargetException e) {
            Throwable t = e.getCause();
            throw new IllegalArgumentException("model '" + text + "': the constructor of " + name + " failed: " + t, t);
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("model '" + text + "': cannot instantiate " + name + ": " + e, e);
        }
    }

    /** The width of the last layer. */
    public int outputDim() {
        return widths[widths.length - 1];
    }

    @Override
    public Cell create() {
        if (isUserClass()) {
            Cell c = userFactory().create();
            if (c == null) {
                throw new IllegalStateException("model '" + text + "': the factory returned no cell");
            }
            return c;
        }
        List<Cell> layers = new ArrayList<>();
        int in = inputDim;
        for (int i = 0; i < widths.length; i++) {
            layers.add(Dense.builder(in, widths[i]).seed(seed + i).dtype(dtype).build());
            if (i + 1 < widths.length) {
                layers.add(new ReLU());
            }
            in = widths[i];
        }
        return new SequentialCell(layers);
    }

    @Override
    public String toString() {
        return text + " (inputs " + inputDim + ", seed " + seed + (dtype == DType.FLOAT32 ? "" : ", " + dtype) + ")";
    }
}
