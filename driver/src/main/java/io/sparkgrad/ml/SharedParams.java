package io.sparkgrad.ml;

import io.sparkgrad.spark.LossKind;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.Params;

/**
 * The {@link Param} objects of one SparkGrad stage, owned by that stage's uid (Spark requires each
 * stage to own its params). Made once in the stage's constructor; {@link #setDefaults} gives them
 * their defaults, the same for the estimator and the model. Names are Spark ML's where Spark has
 * one ({@code featuresCol}, {@code maxIter}, {@code stepSize}, {@code aggregationDepth}, ...).
 */
public final class SharedParams {
    /** Loss names accepted by the {@code loss} param: {@link LossKind#allNames()}, as the CLI's {@code --loss}. */
    public static final String[] LOSSES = LossKind.allNames();
    /** Optimizer names accepted by the {@code optimizer} param. */
    public static final String[] OPTIMIZERS = {"adam", "adamw", "sgd", "lbfgs"};

    final Param<String> featuresCol;
    final Param<String> labelCol;
    final Param<String> weightCol;
    final Param<String> predictionCol;
    final Param<String> probabilityCol;
    final Param<String> rawPredictionCol;
    final Param<String> model;
    final Param<String> loss;
    final Param<String> optimizer;
    final DoubleParam stepSize;
    final IntParam maxIter;
    final IntParam batchSize;
    final IntParam aggregationDepth;
    final LongParam seed;
    final BooleanParam standardization;
    final DoubleParam tol;
    final DoubleParam regParam;
    final Param<String> checkpointDir;
    final Param<String> validationIndicatorCol;
    final IntParam earlyStoppingRounds;
    final DoubleParam earlyStoppingTol;

    SharedParams(String uid) {
        featuresCol = new Param<>(uid, "featuresCol", "features column name (an ml Vector)");
        labelCol = new Param<>(uid, "labelCol", "label column name (numeric)");
        weightCol = new Param<>(uid, "weightCol",
                "weight column name (numeric, >= 0); unset or empty: every row has weight 1");
        predictionCol = new Param<>(uid, "predictionCol", "prediction column name");
        probabilityCol = new Param<>(uid, "probabilityCol",
                "column name for predicted class probabilities (classification; empty: not added)");
        rawPredictionCol = new Param<>(uid, "rawPredictionCol",
                "raw prediction (a.k.a. confidence, the logits) column name (classification; empty: not added)");
        model = new Param<>(uid, "model", "the model spec, as the CLI takes it: 'logreg', 'mlp:W1,...,OUT', or "
                + "'class:NAME' (or a qualified class name): a public io.sparkgrad.spark.ModelFactory with a public "
                + "(int inputDim, int outputs, long seed) or no-argument constructor, on the class path",
                (scala.Function1<String, Object>) SharedParams::validSpec);
        loss = new Param<>(uid, "loss", "the training loss: " + LossKind.describeNames()
                + "; mse makes a regressor, the others a classifier", ParamValidators.inArray(LOSSES));
        optimizer = new Param<>(uid, "optimizer", "the optimizer: " + String.join(", ", OPTIMIZERS)
                + " (lbfgs: full-batch L-BFGS, as MLlib's LogisticRegression, with a built-in model computing in float64;"
                + " needs batchSize 0 and ignores stepSize)",
                ParamValidators.inArray(OPTIMIZERS));
        stepSize = new DoubleParam(uid, "stepSize", "the optimizer's learning rate (> 0)", ParamValidators.gt(0));
        maxIter = new IntParam(uid, "maxIter", "maximum number of epochs, or of iterations for lbfgs (>= 1)", ParamValidators.gtEq(1));
        batchSize = new IntParam(uid, "batchSize", "rows per step across all partitions; 0: full-batch",
                ParamValidators.gtEq(0));
        aggregationDepth = new IntParam(uid, "aggregationDepth", "depth of the gradient reduction tree (>= 2)",
                ParamValidators.gtEq(2));
        seed = new LongParam(uid, "seed", "random seed (initial weights and row order)");
        standardization = new BooleanParam(uid, "standardization",
                "whether to standardize the features (to mean 0, unit sample std) before fitting; the model "
                        + "keeps the mean and std and applies them in transform");
        tol = new DoubleParam(uid, "tol", "stop when an epoch's mean training loss changes by at most tol times "
                + "max(1, |loss|) from the previous epoch's; for lbfgs, Breeze's convergence tolerance as in MLlib (>= 0; 0 turns it off)", ParamValidators.gtEq(0));
        regParam = new DoubleParam(uid, "regParam", "L2 regularization on the weights (not the biases, as MLlib "
                + "leaves the intercept out), on the standardized features when standardization is on (>= 0)",
                ParamValidators.gtEq(0));
        checkpointDir = new Param<>(uid, "checkpointDir", "a Hadoop directory for training checkpoints, one per "
                + "epoch; a fit that finds checkpoints there continues from the latest (empty: none)");
        validationIndicatorCol = new Param<>(uid, "validationIndicatorCol", "name of a boolean column: rows with "
                + "true are the validation set, evaluated after every epoch and left out of training (and of the "
                + "standardization's mean and std); unset or empty: no validation set");
        earlyStoppingRounds = new IntParam(uid, "earlyStoppingRounds", "stop after this many epochs in a row whose "
                + "validation loss is not lower than the best by more than earlyStoppingTol, and keep the best "
                + "epoch's parameters; needs validationIndicatorCol; tol is then not used (>= 0; 0 turns it off)",
                ParamValidators.gtEq(0));
        earlyStoppingTol = new DoubleParam(uid, "earlyStoppingTol", "an epoch improves when its validation loss is "
                + "lower than the best so far by more than this, in absolute terms (>= 0)", ParamValidators.gtEq(0));
    }

    private static boolean validSpec(String s) {
        return io.sparkgrad.spark.ModelSpec.isWellFormed(s);
    }

    /** The defaults: MLlib's where MLlib has the param. */
    void setDefaults(Params owner, Class<?> stageClass) {
        owner.setDefault(featuresCol, "features");
        owner.setDefault(labelCol, "label");
        owner.setDefault(predictionCol, "prediction");
        owner.setDefault(probabilityCol, "probability");
        owner.setDefault(rawPredictionCol, "rawPrediction");
        owner.setDefault(model, "logreg");
        owner.setDefault(loss, "softmax_cross_entropy");
        owner.setDefault(optimizer, "adam");
        owner.setDefault(stepSize, 0.01);
        owner.setDefault(maxIter, 100);
        owner.setDefault(batchSize, 0);
        owner.setDefault(aggregationDepth, 2);
        // HasSeed's default in MLlib
        owner.setDefault(seed, (long) stageClass.getName().hashCode());
        owner.setDefault(standardization, true);
        owner.setDefault(tol, 1e-6);
        owner.setDefault(regParam, 0.0);
        owner.setDefault(checkpointDir, "");
        owner.setDefault(earlyStoppingRounds, 0);
        owner.setDefault(earlyStoppingTol, 0.0);
    }
}
