package io.sparkgrad.ml;

import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;

/**
 * The params of {@link SparkGradEstimator} and {@link SparkGradModel}, as public no-arg methods
 * (how Spark finds a stage's params) with their getters: the Java counterpart of MLlib's shared
 * param traits ({@code HasFeaturesCol}, {@code HasMaxIter}, ...). The model carries the
 * estimator's values, as MLlib's models do. Setters are on the classes, to return their own type.
 */
public interface SparkGradParams {
    /** This stage's param objects. */
    SharedParams sharedParams();

    /** Spark's {@code Params.getOrDefault}, implemented by the stage. */
    <T> T getOrDefault(Param<T> param);

    /** Spark's {@code Params.isDefined}, implemented by the stage. */
    boolean isDefined(Param<?> param);

    default Param<String> featuresCol() {
        return sharedParams().featuresCol;
    }

    default Param<String> labelCol() {
        return sharedParams().labelCol;
    }

    default Param<String> weightCol() {
        return sharedParams().weightCol;
    }

    default Param<String> predictionCol() {
        return sharedParams().predictionCol;
    }

    default Param<String> probabilityCol() {
        return sharedParams().probabilityCol;
    }

    default Param<String> rawPredictionCol() {
        return sharedParams().rawPredictionCol;
    }

    /** The model spec: {@code logreg} or {@code mlp:W1,...,OUT}, as the CLI's {@code --model}. */
    default Param<String> model() {
        return sharedParams().model;
    }

    default Param<String> loss() {
        return sharedParams().loss;
    }

    default Param<String> optimizer() {
        return sharedParams().optimizer;
    }

    default DoubleParam stepSize() {
        return sharedParams().stepSize;
    }

    /** Epochs. */
    default IntParam maxIter() {
        return sharedParams().maxIter;
    }

    default IntParam batchSize() {
        return sharedParams().batchSize;
    }

    default IntParam aggregationDepth() {
        return sharedParams().aggregationDepth;
    }

    default LongParam seed() {
        return sharedParams().seed;
    }

    default BooleanParam standardization() {
        return sharedParams().standardization;
    }

    default DoubleParam tol() {
        return sharedParams().tol;
    }

    /**
     * MLlib's {@code regParam}: {@code regParam / 2 * ||weights||^2} is added to the weighted mean
     * loss (MLlib's objective with {@code elasticNetParam = 0}).
     */
    default DoubleParam regParam() {
        return sharedParams().regParam;
    }

    default Param<String> checkpointDir() {
        return sharedParams().checkpointDir;
    }

    /**
     * Spark's {@code validationIndicatorCol} (as in MLlib's GBTs): a boolean column whose true rows
     * are the validation set, evaluated every epoch and not trained on.
     */
    default Param<String> validationIndicatorCol() {
        return sharedParams().validationIndicatorCol;
    }

    /**
     * Stop after this many epochs without improvement of the validation loss and keep the best
     * epoch's parameters (XGBoost's and LightGBM's early-stopping rounds); 0 is off.
     */
    default IntParam earlyStoppingRounds() {
        return sharedParams().earlyStoppingRounds;
    }

    /** The absolute improvement of the validation loss that early stopping counts (default 0). */
    default DoubleParam earlyStoppingTol() {
        return sharedParams().earlyStoppingTol;
    }

    default String getFeaturesCol() {
        return getOrDefault(featuresCol());
    }

    default String getLabelCol() {
        return getOrDefault(labelCol());
    }

    /** The weight column, or "" when unset. */
    default String getWeightCol() {
        return isDefined(weightCol()) ? getOrDefault(weightCol()) : "";
    }

    default String getPredictionCol() {
        return getOrDefault(predictionCol());
    }

    default String getProbabilityCol() {
        return getOrDefault(probabilityCol());
    }

    default String getRawPredictionCol() {
        return getOrDefault(rawPredictionCol());
    }

    default String getModel() {
        return getOrDefault(model());
    }

    default String getLoss() {
        return getOrDefault(loss());
    }

    default String getOptimizer() {
        return getOrDefault(optimizer());
    }

    default double getStepSize() {
        return (Double) getOrDefault(stepSize());
    }

    default int getMaxIter() {
        return (Integer) getOrDefault(maxIter());
    }

    default int getBatchSize() {
        return (Integer) getOrDefault(batchSize());
    }

    default int getAggregationDepth() {
        return (Integer) getOrDefault(aggregationDepth());
    }

    default long getSeed() {
        return (Long) getOrDefault(seed());
    }

    default boolean getStandardization() {
        return (Boolean) getOrDefault(standardization());
    }

    default double getTol() {
        return (Double) getOrDefault(tol());
    }

    default double getRegParam() {
        return (Double) getOrDefault(regParam());
    }

    default String getCheckpointDir() {
        return getOrDefault(checkpointDir());
    }

    /** The validation indicator column, or "" when unset. */
    default String getValidationIndicatorCol() {
        return isDefined(validationIndicatorCol()) ? getOrDefault(validationIndicatorCol()) : "";
    }

    default int getEarlyStoppingRounds() {
        return (Integer) getOrDefault(earlyStoppingRounds());
    }

    default double getEarlyStoppingTol() {
        return (Double) getOrDefault(earlyStoppingTol());
    }

    /** Whether the loss makes this a classifier (softmax or binary cross-entropy). */
    default boolean isClassification() {
        return io.sparkgrad.spark.LossKind.fromName(getLoss()).isClassification();
    }
}
