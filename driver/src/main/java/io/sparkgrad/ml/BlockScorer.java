package io.sparkgrad.ml;

import io.sparkgrad.ParameterTuple;
import io.sparkgrad.Tensor;
import io.sparkgrad.nn.Cell;
import io.sparkgrad.ops.Ops;
import io.sparkgrad.spark.ModelFactory;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Scores rows in blocks: {@link #BLOCK_ROWS} rows are scaled into one {@code [n, dim]} float block
 * and go through the model in one engine call. Serializable, so a task can carry it; the model
 * itself ({@link Cell}) is rebuilt lazily in each JVM from the factory and the flat parameters.
 *
 * <p>Outputs per row, from the model's outputs {@code z}: softmax classifiers give
 * {@code rawPrediction = z}, {@code probability = softmax(z)}, {@code prediction = argmax z};
 * binary cross-entropy classifiers give {@code rawPrediction = [-z, z]},
 * {@code probability = [1 - sigmoid(z), sigmoid(z)]} and {@code prediction = z > 0} (MLlib's
 * binary logistic regression layout); regressors give {@code prediction = labelScale.unscale(z)}
 * ({@code z * std + mean}; the identity unless the target was scaled in training).
 */
final class BlockScorer implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Rows per engine call. */
    static final int BLOCK_ROWS = 1024;

    enum Kind { SOFTMAX, BINARY, REGRESSION }

    private final ModelFactory factory;
    private final float[] params;
    private final Standardization scaling;
    private final Kind kind;
    private final LabelScale labelScale;
    private transient Cell cell;
    /** The dtype the cell computes in ({@link io.sparkgrad.spark.Precision}), read once with the cell. */
    private transient io.sparkgrad.DType dtype;

    BlockScorer(ModelFactory factory, float[] params, Standardization scaling, Kind kind, LabelScale labelScale) {
        this.factory = factory;
        this.params = params;
        this.scaling = scaling;
        this.kind = kind;
        this.labelScale = labelScale;
    }

    /** One row's outputs. */
    record Scored(double prediction, Vector raw, Vector probability) {
    }

    private Cell cell() {
        if (cell == null) {
            Cell c = factory.create();
            ParameterTuple p = c.trainableParamTuple();
            if (p.numel() != params.length) {
                throw new IllegalStateException("the model has " + p.numel() + " parameter values but "
                        + params.length + " were saved");
            }
            p.load(params);
            c.setTrain(false);
            dtype = io.sparkgrad.spark.Precision.of(c);
            cell = c;
        }
        return cell;
    }

    /** Scores {@code n} rows' features in one engine call. */
    Scored[] score(Vector[] features, int n) {
        int d = scaling.dim();
        float[] x = new float[n * d];
        for (int i = 0; i < n; i++) {
            scaling.apply(features[i], x, i);
        }
        Cell c = cell();
        Tensor out = Ops.stopGradient(c.apply(io.sparkgrad.spark.Precision.wrap(x, dtype, n, d)));
        double[] z = out.toDoubleArray(); // exact for FLOAT32 outputs, and FLOAT64 ones keep their precision
        int k = z.length / n;
        Scored[] s = new Scored[n];
        for (int i = 0; i < n; i++) {
            s[i] = row(z, i * k, k);
        }
        return s;
    }

    private Scored row(double[] z, int off, int k) {
        switch (kind) {
            case REGRESSION:
                return new Scored(labelScale.unscale(z[off]), null, null);
            case BINARY: {
                double m = z[off];
                double p = 1 / (1 + Math.exp(-m));
                return new Scored(m > 0 ? 1 : 0, Vectors.dense(-m, m), Vectors.dense(1 - p, p));
            }
            default: {
                double[] raw = new double[k];
                int best = 0;
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < k; j++) {
                    raw[j] = z[off + j];
                    if (raw[j] > max) {
                        max = raw[j];
                        best = j;
                    }
                }
                double[] p = new double[k];
                double sum = 0;
                for (int j = 0; j < k; j++) {
                    p[j] = Math.exp(raw[j] - max);
                    sum += p[j];
                }
                for (int j = 0; j < k; j++) {
                    p[j] /= sum;
                }
                return new Scored(best, Vectors.dense(raw), Vectors.dense(p));
            }
        }
    }

    /**
     * The rows of {@code in} with the output columns appended, lazily, one block at a time.
     *
     * @param featuresIndex the features column's index in the input rows
     * @param raw           append rawPrediction
     * @param prob          append probability
     * @param pred          append prediction
     */
    Iterator<Row> scoreRows(Iterator<Row> in, int featuresIndex, boolean raw, boolean prob, boolean pred) {
        return new Iterator<>() {
            private final List<Row> rows = new ArrayList<>(BLOCK_ROWS);
            private Scored[] scored;
            private int next;

            @Override
            public boolean hasNext() {
                if (scored != null && next < rows.size()) {
                    return true;
                }
                rows.clear();
                next = 0;
                while (rows.size() < BLOCK_ROWS && in.hasNext()) {
                    rows.add(in.next());
                }
                if (rows.isEmpty()) {
                    return false;
                }
                Vector[] f = new Vector[rows.size()];
                for (int i = 0; i < f.length; i++) {
                    Row r = rows.get(i);
                    if (r.isNullAt(featuresIndex)) {
                        throw new IllegalArgumentException("SparkGradModel: a row's features column is null: " + r);
                    }
                    f[i] = r.getAs(featuresIndex);
                }
                scored = score(f, f.length);
                return true;
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Row r = rows.get(next);
                Scored s = scored[next++];
                int w = r.length();
                Object[] v = new Object[w + (raw ? 1 : 0) + (prob ? 1 : 0) + (pred ? 1 : 0)];
                for (int i = 0; i < w; i++) {
                    v[i] = r.get(i);
                }
                if (raw) {
                    v[w++] = s.raw();
                }
                if (prob) {
                    v[w++] = s.probability();
                }
                if (pred) {
                    v[w] = s.prediction();
                }
                return RowFactory.create(v);
            }
        };
    }
}
