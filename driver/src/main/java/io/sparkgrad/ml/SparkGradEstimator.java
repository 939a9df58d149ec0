package io.sparkgrad.ml;

import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.types.StructType;

/**
 * A Spark ML {@link Estimator} that trains a SparkGrad model with
 * {@link io.sparkgrad.spark.DataParallelTrainer} (synchronous data-parallel SGD/Adam on the
 * cluster) and returns a {@link SparkGradModel}.
 *
 * <p><b>One estimator, the task from the loss.</b> {@code loss = softmax_cross_entropy} (the
 * default) or {@code bce_with_logits} makes a classifier, whose model adds {@code rawPrediction},
 * {@code probability} and {@code prediction} like MLlib's classifiers; {@code loss = mse} makes a
 * regressor, whose model adds {@code prediction} alone ({@code softmax} and {@code bce}, the command
 * line's names, are aliases; {@link io.sparkgrad.spark.LossKind} has the table). The loss already decides the task, so a
 * separate classifier class (or a {@code task} param) could only disagree with it; a
 * {@code ParamGridBuilder} can also search over losses with one stage.
 *
 * <p>Params, with MLlib's names and defaults where MLlib has them: {@code featuresCol}
 * ("features", an ml Vector), {@code labelCol} ("label"), {@code weightCol} (unset),
 * {@code predictionCol}, {@code probabilityCol}, {@code rawPredictionCol}; {@code model}
 * ("logreg", or {@code mlp:W1,...,OUT}); {@code loss}; {@code optimizer} ("adam", "adamw",
 * "sgd"); {@code stepSize} (0.01); {@code maxIter} (epochs, 100); {@code batchSize} (0:
 * full-batch); {@code aggregationDepth} (2); {@code seed}; {@code standardization} (true: the
 * features are centred and scaled by their sample std, and the model keeps and applies the same
 * scaling); {@code tol} (1e-6, on the epoch mean loss); {@code regParam} (0: an L2 term on the
 * weights, not the biases); {@code checkpointDir} (none).
 *
 * <p>Early stopping, with Spark's name for the split: {@code validationIndicatorCol} (unset; a
 * boolean column, its true rows are the validation set: evaluated with the training loss after every
 * epoch, not trained on, and not part of the standardization's statistics; the number of classes
 * counts the labels of both) and {@code earlyStoppingRounds} (0: off; else the fit stops after that
 * many epochs whose validation loss is not below the best by more than {@code earlyStoppingTol}, 0 by
 * default, and the model gets the best epoch's parameters; {@code tol} is then not used). The
 * model's {@link SparkGradModel#validationLossHistory()} and {@link SparkGradModel#bestIteration()}
 * tell what happened. With a {@code checkpointDir}, a fit that resumes continues the same decision.
 *
 * <p>For softmax classification the number of classes is {@code max(label) + 1} (at least 2), which
 * is also {@code logreg}'s width; an {@code mlp} spec's last width must be at least that.
 */
public final class SparkGradEstimator extends Estimator<SparkGradModel> implements SparkGradParams, MLWritable {
    private static final long serialVersionUID = 1L;

    private final String uid;
    private final SharedParams params;

    public SparkGradEstimator() {
        this(Identifiable$.MODULE$.randomUID("sparkgrad"));
    }

    public SparkGradEstimator(String uid) {
        this.uid = uid;
        this.params = new SharedParams(uid);
        params.setDefaults(this, SparkGradEstimator.class);
    }

    @Override
    public String uid() {
        return uid;
    }

    @Override
    public SharedParams sharedParams() {
        return params;
    }

    @Override
    public SparkGradModel fit(Dataset<?> dataset) {
        transformSchema(dataset.schema(), true);
        SparkGradModel m = Training.fit(this, dataset.toDF());
        copyValues(m, ParamMap.empty());
        return (SparkGradModel) m.setParent(this);
    }

    @Override
    public StructType transformSchema(StructType schema) {
        return Schemas.fitting(schema, this);
    }

    @Override
    public SparkGradEstimator copy(ParamMap extra) {
        return (SparkGradEstimator) defaultCopy(extra);
    }

    @Override
    public MLWriter write() {
        return new ModelIO.ParamsWriter(this);
    }

    /** Reads an estimator saved with {@link #write()}. */
    public static MLReader<SparkGradEstimator> read() {
        return new ModelIO.EstimatorReader();
    }

    public static SparkGradEstimator load(String path) {
        return read().load(path);
    }

    public SparkGradEstimator setFeaturesCol(String v) {
        return (SparkGradEstimator) set(featuresCol(), v);
    }

    public SparkGradEstimator setLabelCol(String v) {
        return (SparkGradEstimator) set(labelCol(), v);
    }

    public SparkGradEstimator setWeightCol(String v) {
        return (SparkGradEstimator) set(weightCol(), v);
    }

    public SparkGradEstimator setPredictionCol(String v) {
        return (SparkGradEstimator) set(predictionCol(), v);
    }

    public SparkGradEstimator setProbabilityCol(String v) {
        return (SparkGradEstimator) set(probabilityCol(), v);
    }

    public SparkGradEstimator setRawPredictionCol(String v) {
        return (SparkGradEstimator) set(rawPredictionCol(), v);
    }

    public SparkGradEstimator setModel(String v) {
        return (SparkGradEstimator) set(model(), v);
    }

    /** The loss by any of its names: {@code softmax_cross_entropy} or {@code softmax}, {@code bce_with_logits} or {@code bce}, {@code mse}. */
    public SparkGradEstimator setLoss(String v) {
        return (SparkGradEstimator) set(loss(), v);
    }

    public SparkGradEstimator setOptimizer(String v) {
        return (SparkGradEstimator) set(optimizer(), v);
    }

    public SparkGradEstimator setStepSize(double v) {
        return (SparkGradEstimator) set(stepSize(), v);
    }

    public SparkGradEstimator setMaxIter(int v) {
        return (SparkGradEstimator) set(maxIter(), v);
    }

    public SparkGradEstimator setBatchSize(int v) {
        return (SparkGradEstimator) set(batchSize(), v);
    }

    public SparkGradEstimator setAggregationDepth(int v) {
        return (SparkGradEstimator) set(aggregationDepth(), v);
    }

    public SparkGradEstimator setSeed(long v) {
        return (SparkGradEstimator) set(seed(), v);
    }

    public SparkGradEstimator setStandardization(boolean v) {
        return (SparkGradEstimator) set(standardization(), v);
    }

    public SparkGradEstimator setTol(double v) {
        return (SparkGradEstimator) set(tol(), v);
    }

    public SparkGradEstimator setRegParam(double v) {
        return (SparkGradEstimator) set(regParam(), v);
    }

    public SparkGradEstimator setCheckpointDir(String v) {
        return (SparkGradEstimator) set(checkpointDir(), v);
    }

    public SparkGradEstimator setValidationIndicatorCol(String v) {
        return (SparkGradEstimator) set(validationIndicatorCol(), v);
    }

    public SparkGradEstimator setEarlyStoppingRounds(int v) {
        return (SparkGradEstimator) set(earlyStoppingRounds(), v);
    }

    public SparkGradEstimator setEarlyStoppingTol(double v) {
        return (SparkGradEstimator) set(earlyStoppingTol(), v);
    }
}
