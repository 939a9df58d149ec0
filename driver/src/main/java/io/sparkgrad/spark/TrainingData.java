package io.sparkgrad.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

/**
 * Training data as cached {@link DataBlock}s: each partition's rows packed into dense blocks once,
 * so no step re-parses anything or touches a per-row object.
 *
 * <p>Inputs: a {@code Dataset<Row>} with a features column (an ml {@code Vector} or an array of
 * numbers), a label column and an optional weight column (a per-sample sens, like MLlib's
 * {@code weightCol}); or a {@code JavaRDD<Sample>}; or text files through {@link DataLoader}.
 * {@link #validate} checks every row once and names the first bad one.
 */
public final class TrainingData implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Default rows per block. */
    public static final int BLOCK_ROWS = 4096;

    /**
     * The most features a row may have: 524,287. Rows are dense ({@code float[]}, 4 bytes a feature,
     * zeros included), and a block of {@link #BLOCK_ROWS} rows is one {@code float[]}, which Java caps
     * at {@code Integer.MAX_VALUE - 8} elements; a wider row could not be packed. Text input wider
     * than this (a LIBSVM index, a CSV row, {@code --num-features}) and a wider Parquet features
     * column are refused before anything of that width is allocated.
     */
    public static final int MAX_FEATURES = (Integer.MAX_VALUE - 8) / BLOCK_ROWS;

    private final transient JavaRDD<DataBlock> blocks;
    private final int dim;
    private final String source;
    private final TargetScale targetScale;

    public TrainingData(JavaRDD<DataBlock> blocks, int dim, String source) {
        this(blocks, dim, source, TargetScale.IDENTITY);
    }

    private TrainingData(JavaRDD<DataBlock> blocks, int dim, String source, TargetScale targetScale) {
        this.blocks = blocks;
        this.dim = dim;
        this.source = source;
        this.targetScale = java.util.Objects.requireNonNull(targetScale, "targetScale");
    }

    /**
     * The same blocks, whose labels are regression targets standardised with {@code s}: metrics
     * ({@link Evaluator}, {@link RegressionMetrics}) are then reported in the original units.
     */
    public TrainingData withTargetScale(TargetScale s) {
        return new TrainingData(blocks, dim, source, s);
    }

    /** How the labels were standardised; {@link TargetScale#IDENTITY} when they are as read. */
    public TargetScale targetScale() {
        return targetScale;
    }

    public JavaRDD<DataBlock> blocks() {
        return blocks;
    }

    public int dim() {
        return dim;
    }

    /** Where the data came from, for messages. */
    public String source() {
        return source;
    }

    public int numPartitions() {
        return blocks.getNumPartitions();
    }

    /** Caches the blocks in memory (spilling to disk if needed). */
    public TrainingData cache() {
        blocks.persist(StorageLevel.MEMORY_AND_DISK());
        return this;
    }

    /** Drops the cached blocks. */
    public void unpersist() {
        blocks.unpersist(false);
    }

    /** From a DataFrame; {@code weightCol} may be null. */
    public static TrainingData fromDataset(Dataset<Row> df, String featuresCol, String labelCol, String weightCol) {
        return fromDataset(df, featuresCol, labelCol, weightCol, BLOCK_ROWS);
    }

    public static TrainingData fromDataset(Dataset<Row> df, String featuresCol, String labelCol, String weightCol,
                                           int blockRows) {
        boolean weighted = weightCol != null;
        String source = "DataFrame[" + featuresCol + ", " + labelCol + (weighted ? ", " + weightCol : "") + "]";
        return fromSamples(samples(df, featuresCol, labelCol, weightCol, source), -1, blockRows, source, weighted);
    }

    /**
     * The rows of {@code df} as samples: a features column (an ml Vector or an array of numbers),
     * a label column and an optional weight column; errors name {@code source} and the column.
     * Shared by {@link #fromDataset} and {@link DataLoader}'s Parquet input.
     */
    static JavaRDD<Sample> samples(Dataset<Row> df, String featuresCol, String labelCol, String weightCol, String source) {
        List<String> cols = List.of(df.columns());
        for (String c : weightCol == null ? List.of(featuresCol, labelCol) : List.of(featuresCol, labelCol, weightCol)) {
            if (!cols.contains(c)) {
                throw new BadDataException(source + ": column '" + c + "' is not in the data set; it has " + cols);
            }
        }
        JavaRDD<Row> rows = df.select(weightCol == null
                ? new org.apache.spark.sql.Column[] {df.col(featuresCol), df.col(labelCol)}
                : new org.apache.spark.sql.Column[] {df.col(featuresCol), df.col(labelCol), df.col(weightCol)}).javaRDD();
        boolean weighted = weightCol != null;
        return rows.map(r -> new Sample(features(r.get(0), source, featuresCol),
                number(r.get(1), source, labelCol), weighted ? number(r.get(2), source, weightCol) : 1f));
    }

    /** From an RDD of samples. */
    public static TrainingData fromRdd(JavaRDD<Sample> samples, int dim) {
        return fromSamples(samples, dim, BLOCK_ROWS, "RDD of samples", true);
    }

    static TrainingData fromSamples(JavaRDD<Sample> samples, int dimIn, int blockRows, String source, boolean weighted) {
        int dim = dimIn;
        if (dim <= 0) {
            List<Sample> first = samples.take(1);
            if (first.isEmpty()) {
                throw new BadDataException("the data set " + source + " is empty");
            }
            dim = first.get(0).features().length;
        }
        if ((long) dim * blockRows > Integer.MAX_VALUE - 8) {
            throw new BadDataException(source + ": rows of " + dim + " features exceed the limit of "
                    + (Integer.MAX_VALUE - 8) / blockRows + " features (dense rows, " + blockRows + " to a block)");
        }
        final int d = dim;
        JavaRDD<DataBlock> blocks = samples.mapPartitionsWithIndex((p, it) -> pack(p, it, d, blockRows, weighted), true);
        return new TrainingData(blocks, dim, source);
    }

    /**
     * Packs the rows into blocks of up to {@code blockRows}; each block's arrays are sized to the
     * rows it holds (a partition of a few wide rows does not allocate {@code blockRows} of them).
     */
    private static Iterator<DataBlock> pack(int partition, Iterator<Sample> it, int dim, int blockRows, boolean weighted) {
        List<DataBlock> out = new ArrayList<>();
        List<Sample> rows = new ArrayList<>();
        long row = 0;
        while (it.hasNext()) {
            rows.clear();
            long first = row;
            while (rows.size() < blockRows && it.hasNext()) {
                Sample s = it.next();
                if (s.features().length != dim) {
                    throw new BadDataException("partition " + partition + ", row " + row + ": " + s.features().length
                            + " features, expected " + dim);
                }
                rows.add(s);
                row++;
            }
            int n = rows.size();
            float[] x = new float[n * dim];
            float[] y = new float[n];
            float[] w = weighted ? new float[n] : null;
            for (int i = 0; i < n; i++) {
                Sample s = rows.get(i);
                System.arraycopy(s.features(), 0, x, i * dim, dim);
                y[i] = s.label();
                if (w != null) {
                    w[i] = s.weight();
                }
            }
            out.add(new DataBlock(partition, first, n, dim, x, y, w));
        }
        return out.iterator();
    }

    private static float[] features(Object v, String source, String col) {
        if (v instanceof Vector) {
            double[] a = ((Vector) v).toArray();
            float[] f = new float[a.length];
            for (int i = 0; i < a.length; i++) {
                f[i] = (float) a[i];
            }
            return f;
        }
        if (v instanceof scala.collection.Seq<?>) {
            scala.collection.Seq<?> s = (scala.collection.Seq<?>) v;
            float[] f = new float[s.length()];
            for (int i = 0; i < f.length; i++) {
                f[i] = number(s.apply(i), source, col + "[" + i + "]");
            }
            return f;
        }
        if (v instanceof List<?>) {
            List<?> s = (List<?>) v;
            float[] f = new float[s.size()];
            for (int i = 0; i < f.length; i++) {
                f[i] = number(s.get(i), source, col + "[" + i + "]");
            }
            return f;
        }
        throw new BadDataException(source + ": column '" + col + "' holds "
                + (v == null ? "null" : v.getClass().getSimpleName()) + "; expected an ml Vector or an array of numbers");
    }

    private static float number(Object v, String source, String col) {
        if (v instanceof Number) {
            return ((Number) v).floatValue();
        }
        if (v instanceof Boolean) {
            return ((Boolean) v) ? 1f : 0f;
        }
        throw new BadDataException(source + ": column '" + col + "' holds " + (v == null ? "null" : "'" + v + "'")
                + "; expected a number");
    }

    /** Counts and first problem of one partition's check (a class: Spark's Kryo cannot write records). */
    static final class Check implements Serializable {
        private static final long serialVersionUID = 1L;
        final long rows;
        final String problem;

        Check(long rows, String problem) {
            this.rows = rows;
            this.problem = problem;
        }
    }

    /**
     * Checks every row once: finite features, labels valid for the loss and model width, finite
     * non-negative weights, and a non-empty data set. Returns the row count.
     *
     * @throws BadDataException naming the partition and row of the first bad value
     */
    public long validate(LossKind loss, int outputDim) {
        List<Check> checks = blocks.mapPartitionsWithIndex((p, it) -> {
            long rows = 0;
            String problem = null;
            while (it.hasNext() && problem == null) {
                DataBlock b = it.next();
                for (int r = 0; r < b.rows && problem == null; r++) {
                    long row = b.firstRow + r;
                    for (int j = 0; j < b.dim; j++) {
                        float v = b.features[r * b.dim + j];
                        if (!Float.isFinite(v)) {
                            problem = "partition " + p + ", row " + row + ", feature " + j + ": " + v + " is not finite";
                            break;
                        }
                    }
                    float label = b.labels[r];
                    if (problem == null && !Float.isFinite(label)) {
                        problem = "partition " + p + ", row " + row + ": label " + label + " is not finite";
                    }
                    String why = problem == null ? loss.checkLabel(label, outputDim) : null;
                    if (why != null) {
                        problem = "partition " + p + ", row " + row + ": " + why;
                    }
                    double w = b.weight(r);
                    if (problem == null && !(w >= 0 && Double.isFinite(w))) {
                        problem = "partition " + p + ", row " + row + ": weight " + w + " must be finite and >= 0";
                    }
                }
                rows += b.rows;
            }
            return List.of(new Check(rows, problem)).iterator();
        }, true).collect();
        long total = 0;
        for (Check c : checks) {
            if (c.problem != null) {
                throw new BadDataException(source + ": " + c.problem);
            }
            total += c.rows;
        }
        if (total == 0) {
            throw new BadDataException("the data set " + source + " is empty");
        }
        return total;
    }
}
