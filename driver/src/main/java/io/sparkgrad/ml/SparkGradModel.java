package io.sparkgrad.ml;

import io.sparkgrad.spark.ModelSpec;
import java.util.Arrays;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * A trained SparkGrad model as a Spark ML {@link Model}, made by {@link SparkGradEstimator#fit} or
 * by {@link #load}.
 *
 * <p>{@link #transform} appends, for a classifier, {@code rawPrediction} (the logits, an ml
 * Vector), {@code probability} (softmax, or {@code [1 - p, p]} for a binary cross-entropy model)
 * and {@code prediction} (the class index, a double), as MLlib's classifiers do; for a regressor
 * {@code prediction} alone. Setting an output column's name to "" leaves that column out. It scores
 * each partition in blocks of {@value BlockScorer#BLOCK_ROWS} rows, one engine call per block,
 * with the parameters broadcast once per {@code transform}. The model applies the feature
 * standardisation it was trained with ({@link #mean()}, {@link #std()}).
 *
 * <p>{@link #write()} saves the params and metadata as JSON (Spark's {@code DefaultParamsWriter}
 * layout, so {@code PipelineModel} can load it) and the parameters in SparkGrad's checkpoint
 * format, through the Hadoop FileSystem; a loaded model gives bitwise the same predictions.
 */
public final class SparkGradModel extends Model<SparkGradModel> implements SparkGradParams, MLWritable {
    private static final long serialVersionUID = 1L;

    private final String uid;
    private final SharedParams params;
    private final ModelSpec spec;
    private final float[] weights;
    private final Standardization scaling;
    private final boolean standardized;
    private final BlockScorer.Kind kind;
    private final int numClasses;
    private final LabelScale labelScale;
    private transient BlockScorer local;
    private double[] objectiveHistory;
    private int stepsPerEpoch;
    private double[] validationHistory;
    private int bestIteration;

    SparkGradModel(String uid, ModelSpec spec, float[] weights, Standardization scaling, boolean standardized,
                   BlockScorer.Kind kind, int numClasses, LabelScale labelScale) {
        this.uid = uid;
        this.params = new SharedParams(uid);
        params.setDefaults(this, SparkGradEstimator.class);
        this.spec = spec;
        this.weights = weights.clone();
        this.scaling = scaling;
        this.standardized = standardized;
        this.kind = kind;
        this.numClasses = numClasses;
        this.labelScale = labelScale;
        if (scaling.dim() != spec.inputDim()) {
            throw new IllegalArgumentException("a standardisation of " + scaling.dim() + " features for a model of "
                    + spec.inputDim());
        }
    }

    /**
     * A model from parameters trained outside the estimator (the CLI's {@code train}): the spec,
     * the flat parameters, the loss it was trained with (which decides the kind: softmax and
     * binary cross-entropy make classifiers, MSE a regressor), the feature standardisation the
     * training rows went through ({@code null}: none) and the regression target's scale
     * ({@link LabelScale#IDENTITY}: none; a classifier's must be the identity).
     */
    public static SparkGradModel fromTraining(ModelSpec spec, float[] weights, io.sparkgrad.spark.LossKind loss,
                                              Standardization scaling, LabelScale labelScale) {
        BlockScorer.Kind kind = kindOf(loss);
        if (kind != BlockScorer.Kind.REGRESSION && !labelScale.isIdentity()) {
            throw new IllegalArgumentException("a label scale is for regression models, not for loss " + loss);
        }
        if (kind == BlockScorer.Kind.REGRESSION || kind == BlockScorer.Kind.BINARY) {
            if (spec.outputDim() != 1) {
                throw new IllegalArgumentException("loss " + loss + " needs a model with 1 output, " + spec.text()
                        + " has " + spec.outputDim());
            }
        }
        int classes = kind == BlockScorer.Kind.SOFTMAX ? spec.outputDim() : kind == BlockScorer.Kind.BINARY ? 2 : 0;
        SparkGradModel m = new SparkGradModel(org.apache.spark.ml.util.Identifiable$.MODULE$.randomUID("sparkgrad"), spec,
                weights, scaling == null ? Standardization.identity(spec.inputDim()) : scaling, scaling != null, kind,
                classes, labelScale);
        // transform and the schema read the loss param: it must say what the model was trained with
        m.set(m.params.loss, loss.canonicalName());
        return m;
    }

    static BlockScorer.Kind kindOf(io.sparkgrad.spark.LossKind loss) {
        switch (loss) {
            case MSE:
                return BlockScorer.Kind.REGRESSION;
            case BCE_WITH_LOGITS:
                return BlockScorer.Kind.BINARY;
            default:
                return BlockScorer.Kind.SOFTMAX;
        }
    }

    /** The loss the model was trained with: softmax cross-entropy, binary cross-entropy or MSE. */
    public io.sparkgrad.spark.LossKind lossKind() {
        switch (kind) {
            case REGRESSION:
                return io.sparkgrad.spark.LossKind.MSE;
            case BINARY:
                return io.sparkgrad.spark.LossKind.BCE_WITH_LOGITS;
            default:
                return io.sparkgrad.spark.LossKind.SOFTMAX_CROSS_ENTROPY;
        }
    }

    /** The regression target's scale, undone in every prediction; {@link LabelScale#IDENTITY} for classifiers. */
    public LabelScale labelScale() {
        return labelScale;
    }

    /** The feature standardisation applied to every row before scoring (the identity when trained without). */
    public Standardization featureScaling() {
        return scaling;
    }

    @Override
    public String uid() {
        return uid;
    }

    @Override
    public SharedParams sharedParams() {
        return params;
    }

    /** The model spec, with the input width and seed it was built with. */
    public ModelSpec spec() {
        return spec;
    }

    /** The trained parameters, flat, in {@code Cell.trainableParamTuple()} order (a copy). */
    public float[] weights() {
        return weights.clone();
    }

    /** The number of features the model takes. */
    public int numFeatures() {
        return spec.inputDim();
    }

    /** The number of classes (0 for a regressor). */
    public int numClasses() {
        return numClasses;
    }

    /** The feature means applied before scoring (zeros when trained without standardization). */
    public double[] mean() {
        return scaling.mean();
    }

    /** The feature standard deviations applied before scoring (ones without standardization). */
    public double[] std() {
        return scaling.std();
    }

    boolean standardized() {
        return standardized;
    }

    BlockScorer.Kind kind() {
        return kind;
    }

    Standardization scaling() {
        return scaling;
    }

    /**
     * The training summary: every step's mean training loss, the steps per epoch, every epoch's
     * validation loss (empty without a validation set) and the epochs the kept parameters were
     * trained for.
     */
    void setSummary(double[] losses, int perEpoch, double[] validationLosses, int best) {
        objectiveHistory = losses.clone();
        stepsPerEpoch = perEpoch;
        validationHistory = validationLosses.clone();
        bestIteration = best;
    }

    /**
     * Whether this model has a training summary ({@link #objectiveHistory()}): true after
     * {@link SparkGradEstimator#fit}, false after {@link #load}, as for MLlib's models.
     */
    public boolean hasSummary() {
        return objectiveHistory != null;
    }

    /** The mean training loss of every step of the fit, in order (like MLlib's {@code summary.objectiveHistory}). */
    public double[] objectiveHistory() {
        if (objectiveHistory == null) {
            throw new IllegalStateException("no training summary: this model was loaded, not fitted");
        }
        return objectiveHistory.clone();
    }

    /**
     * The number of epochs the fit ran (fewer than {@code maxIter} when {@code tol} or early stopping
     * stopped it).
     */
    public int totalIterations() {
        return objectiveHistory().length / Math.max(1, stepsPerEpoch);
    }

    /**
     * The validation loss (weighted mean, on the validation rows of {@code validationIndicatorCol})
     * after each epoch of the fit, in order; empty without a validation set. A fit that resumed from
     * a checkpoint has the epochs it ran itself.
     */
    public double[] validationLossHistory() {
        objectiveHistory();
        return validationHistory.clone();
    }

    /**
     * The number of epochs of training behind this model's parameters, counted like
     * {@link #totalIterations()}: with early stopping, that of the best epoch (a fit with
     * {@code maxIter} set to it gives the same parameters, bit for bit); otherwise
     * {@link #totalIterations()}.
     */
    public int bestIteration() {
        objectiveHistory();
        return bestIteration;
    }

    private BlockScorer scorer() {
        if (local == null) {
            local = new BlockScorer(spec, weights, scaling, kind, labelScale);
        }
        return local;
    }

    /** The prediction for one row: the class index, or the regression value. */
    public double predict(Vector features) {
        return scorer().score(new Vector[] {features}, 1)[0].prediction();
    }

    /** The raw prediction (logits) for one row; for a regressor, the one output. */
    public Vector predictRaw(Vector features) {
        BlockScorer.Scored s = scorer().score(new Vector[] {features}, 1)[0];
        return s.raw() != null ? s.raw() : org.apache.spark.ml.linalg.Vectors.dense(s.prediction());
    }

    /** The class probabilities for one row (classifiers). */
    public Vector predictProbability(Vector features) {
        if (kind == BlockScorer.Kind.REGRESSION) {
            throw new UnsupportedOperationException("a regression model has no class probabilities");
        }
        return scorer().score(new Vector[] {features}, 1)[0].probability();
    }

    @Override
    public StructType transformSchema(StructType schema) {
        return Schemas.output(schema, this);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema(), true);
        Dataset<Row> df = dataset.toDF();
        int fi = Arrays.asList(df.schema().fieldNames()).indexOf(getFeaturesCol());
        boolean cls = isClassification();
        boolean raw = cls && !getRawPredictionCol().isEmpty();
        boolean prob = cls && !getProbabilityCol().isEmpty();
        boolean pred = !getPredictionCol().isEmpty();
        // only the float[] goes through the broadcast (Kryo); the rest is small and rides in the closure
        Broadcast<float[]> bc = JavaSparkContext.fromSparkContext(df.sparkSession().sparkContext()).broadcast(weights);
        ModelSpec s = spec;
        Standardization z = scaling;
        BlockScorer.Kind k = kind;
        LabelScale ls = labelScale;
        return df.mapPartitions((MapPartitionsFunction<Row, Row>) it ->
                new BlockScorer(s, bc.value(), z, k, ls).scoreRows(it, fi, raw, prob, pred),
                Encoders.row(out));
    }

    @Override
    public SparkGradModel copy(ParamMap extra) {
        SparkGradModel m = new SparkGradModel(uid, spec, weights, scaling, standardized, kind, numClasses, labelScale);
        if (objectiveHistory != null) {
            m.setSummary(objectiveHistory, stepsPerEpoch, validationHistory, bestIteration);
        }
        return copyValues(m, extra).setParent(parent());
    }

    @Override
    public MLWriter write() {
        return new ModelIO.ModelWriter(this);
    }

    /** Reads a model saved with {@link #write()}. */
    public static MLReader<SparkGradModel> read() {
        return new ModelIO.ModelReader();
    }

    public static SparkGradModel load(String path) {
        return read().load(path);
    }

    /**
     * Loads a saved model without a SparkSession, through the Hadoop file system {@code conf}
     * resolves {@code path} to: for scoring single rows with {@link #predict} in a plain JVM.
     */
    public static SparkGradModel load(String path, org.apache.hadoop.conf.Configuration conf) {
        return ModelIO.readModel(path, conf);
    }

    public SparkGradModel setFeaturesCol(String v) {
        return (SparkGradModel) set(featuresCol(), v);
    }

    public SparkGradModel setPredictionCol(String v) {
        return (SparkGradModel) set(predictionCol(), v);
    }

    public SparkGradModel setProbabilityCol(String v) {
        return (SparkGradModel) set(probabilityCol(), v);
    }

    public SparkGradModel setRawPredictionCol(String v) {
        return (SparkGradModel) set(rawPredictionCol(), v);
    }

    @Override
    public String toString() {
        return "SparkGradModel: uid=" + uid + ", model=" + spec.text() + ", numFeatures=" + numFeatures()
                + ", numClasses=" + numClasses;
    }
}
