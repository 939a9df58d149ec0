package io.sparkgrad;

import io.sparkgrad.format.MindSporeRepr;
import io.sparkgrad.format.NumpyStr;
import io.sparkgrad.format.TensorView;
import io.sparkgrad.shape.Shapes;
import java.lang.reflect.Array;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.IntFunction;

/**
 * An n-dimensional array: a shape, a {@link DType} and row-major storage. Any rank, including the
 * scalar shape {@code []}. Tensors are immutable values as far as the API goes; only a
 * {@link Parameter} is updated in place, by an optimizer.
 *
 * <p>Operations are not methods here: they live in {@code io.sparkgrad.ops.Ops} and their rules
 * in {@code io.sparkgrad.ops.Primitives}. A tensor produced by an op on a tracked input carries a
 * {@link GraphNode}, which is how the backward pass finds its way back; {@code Ops.stopGradient}
 * returns the same storage without one.
 *
 * <p>{@link #toString()} is MindSpore's repr, {@code Tensor(shape=[2], dtype=Float32, value= [...])};
 * {@link #str()} is what MindSpore's {@code print(tensor)} shows, NumPy style.
 */
public sealed class Tensor implements Value, TensorView permits Parameter {
    private final int[] shape;
    private final DType dtype;
    private final float[] f;
    private final double[] d;
    private final GraphNode node;

    Tensor(int[] shape, DType dtype, float[] f, double[] d, GraphNode node) {
        this.shape = shape;
        this.dtype = dtype;
        this.f = f;
        this.d = d;
        this.node = node;
        int n = Shapes.size(shape);
        int len = dtype == DType.FLOAT64 ? d.length : f.length;
        if (len != n) {
            throw new IllegalArgumentException("storage of " + len + " elements does not fit shape "
                    + Arrays.toString(shape) + " (" + n + " elements)");
        }
    }

    /** {@code t}'s shape, dtype and storage with another node: already checked, so not again. */
    private Tensor(Tensor t, GraphNode node) {
        this.shape = t.shape;
        this.dtype = t.dtype;
        this.f = t.f;
        this.d = t.d;
        this.node = node;
    }

    // ---- factories -------------------------------------------------------------------------

    /** Wraps {@code data} (not copied) as a FLOAT32 tensor of the given shape (copied). */
    public static Tensor wrap(float[] data, int... shape) {
        return new Tensor(Shapes.check(shape.clone()), DType.FLOAT32, data, null, null);
    }

    /** Wraps {@code data} (not copied) as a FLOAT64 tensor of the given shape (copied). */
    public static Tensor wrap(double[] data, int... shape) {
        return new Tensor(Shapes.check(shape.clone()), DType.FLOAT64, null, data, null);
    }

    /** Wraps 0/1 values (not copied) as a BOOL tensor. */
    public static Tensor wrapBool(float[] data, int... shape) {
        // v * (v - 1) is +-0 exactly for 0, -0 and 1, and a non-zero, infinite or NaN value for
        // anything else; their absolute sum is then 0 only if every value is 0 or 1. Arithmetic,
        // not a comparison per element: masks are random 0/1, so a branch would mispredict.
        float acc = 0f;
        for (float v : data) {
            acc += Math.abs(v * (v - 1f));
        }
        if (!(acc == 0f)) {
            for (float v : data) {
                if (v != 0f && v != 1f) {
                    throw new IllegalArgumentException("a Bool tensor holds 0 or 1, not " + v);
                }
            }
        }
        return new Tensor(Shapes.check(shape.clone()), DType.BOOL, data, null, null);
    }

    /** A FLOAT32 vector holding a copy of {@code values}. */
    public static Tensor of(float... values) {
        return wrap(values.clone(), values.length);
    }

    /** A FLOAT64 vector holding a copy of {@code values}. */
    public static Tensor of(double... values) {
        return wrap(values.clone(), values.length);
    }

    /** A FLOAT32 matrix; every row must have the same length. */
    public static Tensor of(float[][] rows) {
        return wrap(joinRows(rows, float[]::new), rows.length, columns(rows));
    }

    /** A FLOAT64 matrix; every row must have the same length. */
    public static Tensor of(double[][] rows) {
        return wrap(joinRows(rows, double[]::new), rows.length, columns(rows));
    }

    private static int columns(Object[] rows) {
        return rows.length == 0 ? 0 : Array.getLength(rows[0]);
    }

    /** The rows (primitive arrays of one length) one after another, in an array from {@code alloc}. */
    private static <A> A joinRows(A[] rows, IntFunction<A> alloc) {
        int cols = columns(rows);
        A data = alloc.apply(rows.length * cols);
        for (int i = 0; i < rows.length; i++) {
            int len = Array.getLength(rows[i]);
            if (len != cols) {
                throw new IllegalArgumentException("Tensor.of: row " + i + " has " + len + " elements, row 0 has " + cols);
            }
            System.arraycopy(rows[i], 0, data, i * cols, cols);
        }
        return data;
    }

    /** A scalar (shape {@code []}) FLOAT32 tensor. */
    public static Tensor scalar(double value) {
        return full(value, DType.FLOAT32);
    }

    /** A scalar (shape {@code []}) of the given dtype. */
    public static Tensor scalar(double value, DType dtype) {
        return full(value, dtype);
    }

    public static Tensor zeros(int... shape) {
        return full(0, DType.FLOAT32, shape);
    }

    public static Tensor zeros(DType dtype, int... shape) {
        return full(0, dtype, shape);
    }

    public static Tensor ones(int... shape) {
        return full(1, DType.FLOAT32, shape);
    }

    public static Tensor ones(DType dtype, int... shape) {
        return full(1, dtype, shape);
    }

    public static Tensor full(double value, DType dtype, int... shape) {
        int n = Shapes.size(Shapes.check(shape));
        if (dtype == DType.FLOAT64) {
            double[] a = new double[n];
            Arrays.fill(a, value);
            return new Tensor(shape.clone(), dtype, null, a, null);
        }
        if (dtype == DType.BOOL && value != 0 && value != 1) {
            throw new IllegalArgumentException("a Bool tensor holds 0 or 1, not " + value);
        }
        float[] a = new float[n];
        Arrays.fill(a, (float) value);
        return new Tensor(shape.clone(), dtype, a, null, null);
    }

    /** A tensor of zeros shaped and typed like {@code like}. */
    public static Tensor zerosLike(Tensor like) {
        return full(0, like.dtype, like.shape);
    }

    /** A tensor of ones shaped and typed like {@code like}. */
    public static Tensor onesLike(Tensor like) {
        return full(1, like.dtype, like.shape);
    }

    /** {@code [0, 1, ..., end-1]} as FLOAT32, like {@code arange(4.0)}. */
    public static Tensor arange(double end) {
        return arange(0, end, 1, DType.FLOAT32);
    }

    /** {@code start, start+step, ...} below {@code end}. */
    public static Tensor arange(double start, double end, double step, DType dtype) {
        if (step == 0 || Double.isNaN(step)) {
            throw new IllegalArgumentException("arange: step must be non-zero, got " + step);
        }
        int n = (int) Math.max(0, Math.ceil((end - start) / step));
        Tensor t = full(0, dtype, n);
        for (int i = 0; i < n; i++) {
            t.setFlat(i, start + i * step);
        }
        return t;
    }

    /** Standard normal samples from the given seed; the same seed gives the same tensor. */
    public static Tensor randn(long seed, int... shape) {
        return randn(seed, DType.FLOAT32, shape);
    }

    public static Tensor randn(long seed, DType dtype, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor t = full(0, dtype, shape);
        for (int i = 0, n = t.size(); i < n; i++) {
            t.setFlat(i, r.nextGaussian());
        }
        return t;
    }

    /** Uniform samples in {@code [low, high)} from the given seed. */
    public static Tensor uniform(long seed, double low, double high, int... shape) {
        return uniform(seed, low, high, DType.FLOAT32, shape);
    }

    public static Tensor uniform(long seed, double low, double high, DType dtype, int... shape) {
        if (!(high > low)) {
            throw new IllegalArgumentException("uniform: need low < high, got [" + low + ", " + high + ")");
        }
        SplittableRandom r = new SplittableRandom(seed);
        Tensor t = full(0, dtype, shape);
        for (int i = 0, n = t.size(); i < n; i++) {
            t.setFlat(i, r.nextDouble(low, high));
        }
        return t;
    }

    // ---- accessors -------------------------------------------------------------------------

    /** A copy of the shape. */
    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** Dimension {@code axis}; negative axes count from the end. */
    public int shape(int axis) {
        return shape[Shapes.axis(axis, shape.length, "shape")];
    }

    public int rank() {
        return shape.length;
    }

    public int size() {
        return dtype == DType.FLOAT64 ? d.length : f.length;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    /** The backing array of a FLOAT32 or BOOL tensor; a view, not a copy. Null for FLOAT64. */
    public float[] floatStorage() {
        return f;
    }

    /** The backing array of a FLOAT64 tensor; a view, not a copy. Null otherwise. */
    public double[] doubleStorage() {
        return d;
    }

    /** Element {@code i} of the row-major storage, as a double. */
    @Override
    public double getFlat(int i) {
        return dtype == DType.FLOAT64 ? d[i] : f[i];
    }

    /** The element at the given index, as a double (e.g. {@code t.at(1, 2)}). */
    public double at(int... index) {
        return getFlat(Shapes.offset(shape, index));
    }

    /** The single value of a tensor with one element. */
    public double item() {
        if (size() != 1) {
            throw new IllegalStateException("item() needs a tensor with one element, this one has shape "
                    + Arrays.toString(shape));
        }
        return getFlat(0);
    }

    /** True when a Bool tensor holds {@code true} everywhere (like {@code bool(t.all())}). */
    public boolean all() {
        for (int i = 0, n = size(); i < n; i++) {
            if (getFlat(i) == 0) {
                return false;
            }
        }
        return true;
    }

    public float[] toFloatArray() {
        if (f != null) {
            return f.clone();
        }
        float[] out = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = (float) d[i];
        }
        return out;
    }

    public double[] toDoubleArray() {
        if (d != null) {
            return d.clone();
        }
        double[] out = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = f[i];
        }
        return out;
    }

    void setFlat(int i, double v) {
        if (d != null) {
            d[i] = v;
        } else {
            f[i] = (float) v;
        }
    }

    /** A copy with fresh storage and no graph node. */
    public Tensor copy() {
        return new Tensor(shape.clone(), dtype, f == null ? null : f.clone(), d == null ? null : d.clone(), null);
    }

    // ---- graph (package-private; the autodiff layer reaches it through GraphNode) ------------

    /** The graph node that produced this tensor, or null for a constant. */
    GraphNode node() {
        return node;
    }

    Tensor withNode(GraphNode n) {
        return new Tensor(this, n);
    }

    // ---- Value -----------------------------------------------------------------------------

    @Override
    public Tensor tensor() {
        return this;
    }

    @Override
    public Value get(int i) {
        throw new IllegalStateException("this value is a Tensor of shape " + Arrays.toString(shape)
                + ", not a tuple");
    }

    @Override
    public int arity() {
        return 1;
    }

    // ---- printing --------------------------------------------------------------------------

    /** MindSpore's repr: {@code Tensor(shape=[4], dtype=Float32, value= [ 0.00000000e+00, ...])}. */
    @Override
    public String toString() {
        return MindSporeRepr.MINDSPORE.repr(this);
    }

    /** What MindSpore's {@code print(tensor)} shows, NumPy style: {@code [[4.5099998 2.7 3.6000001]...]}. */
    public String str() {
        return NumpyStr.str(this);
    }
}
