package io.sparkgrad.ml;

import io.sparkgrad.DType;
import io.sparkgrad.ParameterTuple;
import io.sparkgrad.spark.DataParallelTrainer;
import io.sparkgrad.spark.TrainerBuilder;
import io.sparkgrad.spark.LossKind;
import io.sparkgrad.spark.ModelSpec;
import io.sparkgrad.spark.OptimizerFactory;
import io.sparkgrad.spark.ProgressListener;
import io.sparkgrad.spark.Sample;
import io.sparkgrad.spark.StepRecord;
import io.sparkgrad.spark.TrainingData;
import io.sparkgrad.spark.Evaluator;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.stat.Summarizer;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * What {@link SparkGradEstimator#fit} does: one summary pass (feature mean and std, row count,
 * largest label), the model spec for the data's width and classes, the rows standardised into
 * {@link TrainingData}, then {@link DataParallelTrainer#fit}. The {@code tol} stop is a progress
 * listener that ends the run after an epoch whose mean loss barely moved; the parameters are then
 * the driver's live ones after that epoch. With a {@code validationIndicatorCol}, its true rows
 * (standardised with the training rows' statistics) are the trainer's validation set and
 * {@code earlyStoppingRounds} its early stopping, which replaces the {@code tol} stop.
 */
final class Training {
    private Training() {
    }

    /** Thrown by the tol listener to end the run; never escapes {@link #fit}. */
    private static final class Converged extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Converged() {
            super("converged", null, false, false);
        }
    }

    /** L-BFGS correction pairs kept, as MLlib's LogisticRegression. */
    static final int LBFGS_MEMORY = 10;

    static SparkGradModel fit(SparkGradEstimator est, Dataset<Row> df) {
        String fc = est.getFeaturesCol();
        String lc = est.getLabelCol();
        String wc = est.getWeightCol();
        LossKind loss = LossKind.fromName(est.getLoss());
        boolean lbfgs = est.getOptimizer().equalsIgnoreCase("lbfgs");
        if (lbfgs && est.getBatchSize() > 0) {
            throw new IllegalArgumentException("SparkGradEstimator: optimizer lbfgs is full-batch; batchSize must be 0, got "
                    + est.getBatchSize());
        }
        String vc = est.getValidationIndicatorCol();
        Column w = wc.isEmpty() ? functions.lit(1.0) : functions.col(wc).cast("double");
        Dataset<Row> train = vc.isEmpty() ? df : df.filter(functions.not(functions.col(vc)));
        Row summary = train.select(Summarizer.metrics("mean", "std", "count").summary(functions.col(fc), w).as("s"),
                functions.max(functions.col(lc).cast("double"))).first();
        Row s = summary.getStruct(0);
        if (summary.isNullAt(1) || s.<Long>getAs("count") == 0) {
            throw new IllegalArgumentException("SparkGradEstimator: the data set is empty"
                    + (vc.isEmpty() ? "" : " (no row has validationIndicatorCol '" + vc + "' false)"));
        }
        double maxLabel = summary.getDouble(1);
        if (!vc.isEmpty()) { // the classes count the validation rows' labels too
            Row all = df.select(functions.max(functions.col(lc).cast("double"))).first();
            maxLabel = all.isNullAt(0) ? maxLabel : Math.max(maxLabel, all.getDouble(0));
        }
        double[] mean = s.<Vector>getAs("mean").toArray();
        double[] std = s.<Vector>getAs("std").toArray();
        long rows = s.getAs("count");
        int dim = mean.length;
        Standardization z = est.getStandardization() ? new Standardization(mean, std) : Standardization.identity(dim);

        int numClasses = loss == LossKind.SOFTMAX_CROSS_ENTROPY ? Math.max(2, (int) maxLabel + 1)
                : loss == LossKind.BCE_WITH_LOGITS ? 2 : 0;
        int outputs = loss == LossKind.SOFTMAX_CROSS_ENTROPY ? numClasses : 1;
        ModelSpec spec = ModelSpec.parse(est.getModel(), dim, outputs, est.getSeed());
        if (lbfgs && !spec.isUserClass()) { // as MLlib: the objective in double, so the line search can converge
            spec = spec.withDtype(DType.FLOAT64);
        }
        if (loss == LossKind.SOFTMAX_CROSS_ENTROPY && spec.outputDim() < numClasses) {
            throw new IllegalArgumentException("SparkGradEstimator: model '" + est.getModel() + "' has "
                    + spec.outputDim() + " outputs but label column '" + lc + "' has classes up to " + (int) maxLabel);
        }
        if (loss != LossKind.SOFTMAX_CROSS_ENTROPY && spec.outputDim() != 1) {
            throw new IllegalArgumentException("SparkGradEstimator: loss " + est.getLoss() + " needs a model with "
                    + "1 output, model '" + est.getModel() + "' has " + spec.outputDim());
        }

        TrainingData data = TrainingData.fromRdd(samples(df, fc, lc, wc, vc, false, z), dim);
        TrainingData validation = vc.isEmpty() ? null : TrainingData.fromRdd(samples(df, fc, lc, wc, vc, true, z), dim);
        ParameterTuple[] live = new ParameterTuple[1];
        TrainerBuilder b;
        if (lbfgs) { // maxIter iterations of Breeze's L-BFGS, 10 correction pairs, MLlib's tol; stepSize unused
            b = DataParallelTrainer.builder(spec, loss).lbfgs(est.getMaxIter(), LBFGS_MEMORY, est.getTol());
        } else {
            OptimizerFactory base = OptimizerFactory.named(est.getOptimizer(), est.getStepSize(), null, null);
            b = DataParallelTrainer.builder(spec, loss, p -> {
                live[0] = p;
                return base.create(p);
            }).epochs(est.getMaxIter());
        }
        b.treeDepth(est.getAggregationDepth()).seed(est.getSeed()).modelDescription(spec.text());
        if (est.getRegParam() > 0) {
            b.l2(est.getRegParam(), name -> name.endsWith("weight"));
        }
        if (est.getBatchSize() > 0) {
            b.batchSize(est.getBatchSize());
        }
        int perEpoch = est.getBatchSize() > 0 ? (int) Math.max(1, (rows + est.getBatchSize() - 1) / est.getBatchSize()) : 1;
        if (!est.getCheckpointDir().isEmpty()) {
            b.checkpoints(est.getCheckpointDir(), perEpoch).resume(true);
        }
        List<Double> losses = new ArrayList<>();
        List<Double> validationLosses = new ArrayList<>();
        b.listener(new ProgressListener() {
            @Override
            public void onStep(StepRecord step, double eta) {
                losses.add(step.loss());
            }

            @Override
            public void onValidation(int epoch, Evaluator.Metrics m) {
                validationLosses.add(m.meanLoss());
            }
        });
        boolean earlyStopping = est.getEarlyStoppingRounds() > 0;
        if (validation != null) {
            b.validation(validation).earlyStopping(est.getEarlyStoppingRounds(), est.getEarlyStoppingTol());
        }
        if (est.getTol() > 0 && !earlyStopping && !lbfgs) { // L-BFGS applies tol itself
            b.listener(tolListener(est.getTol(), perEpoch));
        }
        float[] params;
        int best = -1;
        try {
            DataParallelTrainer.Result r = b.build().fit(df.sparkSession(), data);
            params = r.flatParameters();
            if (r.earlyStopping() != null && r.earlyStopping().bestStep() > 0) {
                best = (int) ((r.earlyStopping().bestStep() + perEpoch - 1) / perEpoch);
            }
        } catch (Converged c) {
            params = live[0].flatten();
        } finally {
            data.unpersist();
            if (validation != null) {
                validation.unpersist();
            }
        }
        BlockScorer.Kind kind = loss == LossKind.MSE ? BlockScorer.Kind.REGRESSION
                : loss == LossKind.BCE_WITH_LOGITS ? BlockScorer.Kind.BINARY : BlockScorer.Kind.SOFTMAX;
        SparkGradModel m = new SparkGradModel(est.uid(), spec, params, z, est.getStandardization(), kind,
                kind == BlockScorer.Kind.SOFTMAX ? spec.outputDim() : numClasses, LabelScale.IDENTITY);
        m.setSummary(losses.stream().mapToDouble(Double::doubleValue).toArray(), perEpoch,
                validationLosses.stream().mapToDouble(Double::doubleValue).toArray(),
                best > 0 ? best : losses.size() / perEpoch);
        return m;
    }

    /**
     * The rows as samples, standardised by {@code z}; with a validation indicator column {@code vc},
     * only the rows whose indicator is {@code validation}. A null in any of these columns is refused.
     */
    private static JavaRDD<Sample> samples(Dataset<Row> df, String fc, String lc, String wc, String vc,
                                           boolean validation, Standardization z) {
        boolean weighted = !wc.isEmpty();
        List<Column> cols = new ArrayList<>(List.of(functions.col(fc), functions.col(lc).cast("double")));
        List<String> names = new ArrayList<>(List.of(fc, lc));
        if (weighted) {
            cols.add(functions.col(wc).cast("double"));
            names.add(wc);
        }
        if (!vc.isEmpty()) {
            cols.add(functions.col(vc));
            names.add(vc);
        }
        int vi = names.size() - 1;
        return df.select(cols.toArray(new Column[0])).javaRDD().filter(r -> {
            for (int i = 0; i < r.length(); i++) {
                if (r.isNullAt(i)) {
                    throw new IllegalArgumentException("SparkGradEstimator: column '" + names.get(i)
                            + "' is null in a row");
                }
            }
            return vc.isEmpty() || r.getBoolean(vi) == validation;
        }).map(r -> new Sample(z.apply(r.<Vector>getAs(0)), (float) r.getDouble(1),
                weighted ? (float) r.getDouble(2) : 1f));
    }

    /** Ends the run after an epoch whose mean loss is within tol * max(1, |loss|) of the previous one. */
    private static ProgressListener tolListener(double tol, int perEpoch) {
        return new ProgressListener() {
            private double sum;
            private int n;
            private double previous = Double.NaN;

            @Override
            public void onStep(StepRecord s, double eta) {
                if (s.skipped()) {
                    return;
                }
                sum += s.loss();
                n++;
                boolean endOfEpoch = (s.step() % perEpoch == 0) || s.step() == s.totalSteps();
                if (!endOfEpoch) {
                    return;
                }
                double mean = sum / n;
                sum = 0;
                n = 0;
                double prev = previous;
                previous = mean;
                if (!Double.isNaN(prev) && Math.abs(prev - mean) <= tol * Math.max(1, Math.abs(mean))) {
                    throw new Converged();
                }
            }
        };
    }
}
