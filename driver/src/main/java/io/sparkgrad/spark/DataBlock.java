package io.sparkgrad.spark;

import java.io.Serializable;

/**
 * A block of training rows, cached in a partition as dense arrays: features row-major
 * {@code [rows x dim]}, labels {@code [rows]} and optional per-sample weights. A partition's data is
 * a few of these, so a micro-batch is a few matrix ops, never one engine call per row.
 *
 * <p>{@code firstRow} is the index of the block's first row within its partition; with
 * {@code partition} it names a row in error reports. Fields are flat primitive arrays, which is
 * all Kryo has to write.
 */
public final class DataBlock implements Serializable {
    private static final long serialVersionUID = 1L;

    final int partition;
    final long firstRow;
    final int rows;
    final int dim;
    final float[] features;
    final float[] labels;
    final float[] weights;

    public DataBlock(int partition, long firstRow, int rows, int dim, float[] features, float[] labels, float[] weights) {
        if (rows < 0 || dim <= 0 || features.length != (long) rows * dim || labels.length != rows
                || (weights != null && weights.length != rows)) {
            throw new IllegalArgumentException("DataBlock: " + rows + " rows of " + dim + " features do not fit arrays of "
                    + features.length + " features, " + labels.length + " labels"
                    + (weights == null ? "" : ", " + weights.length + " weights"));
        }
        this.partition = partition;
        this.firstRow = firstRow;
        this.rows = rows;
        this.dim = dim;
        this.features = features;
        this.labels = labels;
        this.weights = weights;
    }

    public int partition() {
        return partition;
    }

    public long firstRow() {
        return firstRow;
    }

    public int rows() {
        return rows;
    }

    public int dim() {
        return dim;
    }

    public float[] features() {
        return features;
    }

    public float[] labels() {
        return labels;
    }

    /** Per-sample weights, or null when every weight is 1. */
    public float[] weights() {
        return weights;
    }

    public double weight(int row) {
        return weights == null ? 1.0 : weights[row];
    }
}
