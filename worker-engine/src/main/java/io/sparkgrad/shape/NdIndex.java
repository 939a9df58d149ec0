package io.sparkgrad.shape;

/**
 * The engine's one n-d index walk (an "odometer"): the indices of a shape in row-major order,
 * with the matching offsets into any number of operands, each read with its own strides
 * (row-major, 0 along broadcast axes, permuted for a transpose). The caller adds a base offset,
 * e.g. a slice's start.
 *
 * <p>Two forms:
 * <ul>
 *   <li>{@link #over} visits every index of the shape; for walks that are not on a hot path
 *       (batches of a matmul, the elements a printout shows);</li>
 *   <li>{@link #rows} visits every index of the leading axes (all but the last). The caller runs
 *       its own plain loop along the last axis, {@link #rowLength()} elements from each
 *       {@link #offset(int)} with step {@link #rowStride(int)}, so inner loops stay plain loops
 *       over arrays that the JIT can compile tightly; the odometer turns once per row.</li>
 * </ul>
 * A shape with a zero dimension has no indices, so a walk over it is {@link #done()} at once.
 * Rank 0 has one index, {@code []}, at offset 0; as rows, one row of length 1.
 *
 * <p>Usage: {@code for (NdIndex it = NdIndex.rows(shape, st); !it.done(); it.next()) {...}}.
 * A walk is a mutable cursor for one loop on one thread; it allocates only when created.
 */
public final class NdIndex {
    private final int[] shape;
    private final int axes;
    private final int[][] strides;
    private final int[] index;
    private final int[] offsets;
    private boolean done;

    private NdIndex(int[] shape, int axes, int[][] strides) {
        for (int[] st : strides) {
            if (st.length != shape.length) {
                throw new IllegalArgumentException("NdIndex: strides " + Shapes.str(st) + " do not fit shape "
                        + Shapes.str(shape));
            }
        }
        this.shape = shape.clone();
        this.axes = axes;
        this.strides = strides.clone();
        this.index = new int[shape.length];
        this.offsets = new int[strides.length];
        this.done = Shapes.size(shape) == 0;
    }

    /** Every index of {@code shape}, with offsets into operands of the given strides (one per axis). */
    public static NdIndex over(int[] shape, int[]... strides) {
        return new NdIndex(shape, shape.length, strides);
    }

    /** Every index of the leading axes of {@code shape}, each the start of a row along the last axis. */
    public static NdIndex rows(int[] shape, int[]... strides) {
        return new NdIndex(shape, Math.max(0, shape.length - 1), strides);
    }

    /** True once every index has been visited (at once for a shape with a zero dimension). */
    public boolean done() {
        return done;
    }

    /** Steps to the next index in row-major order, updating every operand's offset. */
    public void next() {
        for (int d = axes - 1; d >= 0; d--) {
            index[d]++;
            for (int k = 0; k < offsets.length; k++) {
                offsets[k] += strides[k][d];
            }
            if (index[d] < shape[d]) {
                return;
            }
            for (int k = 0; k < offsets.length; k++) {
                offsets[k] -= strides[k][d] * index[d];
            }
            index[d] = 0;
        }
        done = true;
    }

    /** Operand {@code k}'s offset at the current index: the sum of index times stride. */
    public int offset(int k) {
        return offsets[k];
    }

    /** The current index along axis {@code d} (0 along the last axis of a {@link #rows} walk). */
    public int index(int d) {
        return index[d];
    }

    /** The elements in a row: the last dimension for {@link #rows}, else 1 (and 1 for rank 0). */
    public int rowLength() {
        return axes < shape.length ? shape[shape.length - 1] : 1;
    }

    /** Operand {@code k}'s stride along a row: its last stride for {@link #rows}, else 0. */
    public int rowStride(int k) {
        return axes < shape.length ? strides[k][shape.length - 1] : 0;
    }
}
