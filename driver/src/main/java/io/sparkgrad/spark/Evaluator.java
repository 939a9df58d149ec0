package io.sparkgrad.spark;

import io.sparkgrad.Tensor;
import io.sparkgrad.nn.Cell;
import io.sparkgrad.ops.Ops;
import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Distributed evaluation in one pass: the weighted mean loss of the model at given parameters, and
 * its accuracy (classification losses) or its {@link RegressionMetrics} (MSE, in the target's
 * original units when the data's labels are standardised, see {@link TrainingData#targetScale()}).
 */
public final class Evaluator {
    private Evaluator() {
    }

    /** Sums of one partition, merged on the driver in partition order. */
    public static final class Metrics implements Serializable {
        private static final long serialVersionUID = 1L;
        double loss;
        double weight;
        long correct;
        long count;
        boolean classification;
        /** Null for classification. */
        RegressionMetrics regression;

        /** The weighted mean loss. */
        public double meanLoss() {
            return weight == 0 ? Double.NaN : loss / weight;
        }

        /** The fraction of rows predicted right; NaN for a regression loss, where it means nothing. */
        public double accuracy() {
            return count == 0 || !classification ? Double.NaN : (double) correct / count;
        }

        /** Whether the loss is a classification loss (then {@link #accuracy}, else {@link #regression}). */
        public boolean isClassification() {
            return classification;
        }

        /** MSE, RMSE, MAE and R² in the target's original units; null for a classification loss. */
        public RegressionMetrics regression() {
            return regression;
        }

        public long count() {
            return count;
        }

        void merge(Metrics o) {
            loss += o.loss;
            weight += o.weight;
            correct += o.correct;
            count += o.count;
            if (o.regression != null) {
                regression = regression == null ? RegressionMetrics.empty().merge(o.regression) : regression.merge(o.regression);
            }
        }
    }

    /**
     * Loss and accuracy, or loss and regression metrics, over all rows of {@code data}, with the
     * model in eval mode. The loss is in the units the model was trained in (standardised targets
     * for a standardised regression); the regression metrics are in the original units.
     */
    public static Metrics evaluate(JavaSparkContext sc, TrainingData data, ModelFactory factory, LossKind loss,
                                   float[] params, int batch) {
        return ModelReplica.withBroadcast(sc, params, bc -> {
            List<Metrics> parts = data.blocks().mapPartitions(it -> {
                Cell model = ModelReplica.create(factory, bc.value(), false);
                io.sparkgrad.DType dtype = Precision.of(model);
                Metrics m = new Metrics();
                m.classification = loss.isClassification();
                m.regression = loss.isClassification() ? null : RegressionMetrics.empty();
                while (it.hasNext()) {
                    DataBlock b = it.next();
                    for (int s = 0; s < b.rows; s += batch) {
                        int n = Math.min(batch, b.rows - s);
                        float[] x = Arrays.copyOfRange(b.features, s * b.dim, (s + n) * b.dim);
                        float[] y = Arrays.copyOfRange(b.labels, s, s + n);
                        Tensor out = Ops.stopGradient(model.apply(Precision.wrap(x, dtype, n, b.dim)));
                        Tensor l = loss.perSample(out, Precision.wrap(y, dtype, n));
                        float[] o = out.toFloatArray();
                        int dim = out.rank() == 2 ? out.shape(1) : 1;
                        if (loss.isClassification()) {
                            m.correct += loss.countCorrect(o, dim, y, n);
                        }
                        for (int i = 0; i < n; i++) {
                            double w = b.weight(s + i);
                            m.loss += w * l.getFlat(i);
                            m.weight += w;
                            if (m.regression != null) {
                                m.regression.add(o[i * dim], y[i], w);
                            }
                        }
                        m.count += n;
                    }
                }
                return List.of(m).iterator();
            }).collect();
            Metrics total = new Metrics();
            total.classification = loss.isClassification();
            parts.forEach(total::merge);
            if (total.regression != null) {
                total.regression = total.regression.inUnitsOf(data.targetScale());
            }
            return total;
        });
    }
}
