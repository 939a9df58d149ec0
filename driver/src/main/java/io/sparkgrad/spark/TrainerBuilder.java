package io.sparkgrad.spark;

import io.sparkgrad.nn.Cell;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/** Configures a {@link DataParallelTrainer}; made by {@code DataParallelTrainer.builder(...)}. */
public final class TrainerBuilder {
    private final ModelFactory model;
    private final LossKind loss;
    private final OptimizerFactory optimizer;
    private int epochs = 1;
    private long steps;
    private int batchSize;
    private double miniBatchFraction;
    private int microBatch = 512;
    private int treeDepth = 2;
    private LearningRateSchedule schedule = LearningRateSchedule.constant();
    private double clipNorm;
    private Sens sens = Sens.inverseTotalWeight();
    private long seed = 42;
    private boolean shuffle = true;
    private TrainingData validation;
    private String checkpointDir;
    private int checkpointEvery;
    private boolean resume;
    private int keepCheckpoints = TrainerConfig.DEFAULT_KEEP_CHECKPOINTS;
    private final List<ProgressListener> listeners = new ArrayList<>();
    private TaskHook hook = TaskHook.NONE;
    private String modelText = "";
    private int maxSkippedSteps = 3;
    private double l2;
    private Predicate<String> l2Params = name -> false;
    private Lbfgs lbfgs;
    private int validateEvery;
    private int earlyStoppingRounds;
    private double earlyStoppingTol;

    TrainerBuilder(ModelFactory model, LossKind loss, OptimizerFactory optimizer) {
        this.model = Objects.requireNonNull(model, "model");
        this.loss = Objects.requireNonNull(loss, "loss");
        this.optimizer = optimizer;
    }

    /** Number of passes over the data (default 1); ignored when {@link #steps} is set. */
    public TrainerBuilder epochs(int v) {
        if (v < 1) {
            throw new IllegalArgumentException("epochs must be >= 1, got " + v);
        }
        epochs = v;
        return this;
    }

    /** A fixed number of steps, instead of epochs. */
    public TrainerBuilder steps(long v) {
        if (v < 1) {
            throw new IllegalArgumentException("steps must be >= 1, got " + v);
        }
        steps = v;
        return this;
    }

    /** Rows per step across all partitions (default: the whole data set, full-batch). */
    public TrainerBuilder batchSize(int v) {
        if (v < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + v);
        }
        batchSize = v;
        return this;
    }

    /** The fraction of the rows each step uses, like MLlib's {@code miniBatchFraction}. */
    public TrainerBuilder miniBatchFraction(double v) {
        if (!(v > 0 && v <= 1)) {
            throw new IllegalArgumentException("mini-batch fraction must be in (0, 1], got " + v);
        }
        miniBatchFraction = v;
        return this;
    }

    /** Rows per engine call inside a partition (default 512). */
    public TrainerBuilder microBatch(int v) {
        if (v < 1) {
            throw new IllegalArgumentException("micro-batch must be >= 1, got " + v);
        }
        microBatch = v;
        return this;
    }

    /** Depth of the reduction tree (default 2). */
    public TrainerBuilder treeDepth(int v) {
        if (v < 1) {
            throw new IllegalArgumentException("tree depth must be >= 1, got " + v);
        }
        treeDepth = v;
        return this;
    }

    public TrainerBuilder schedule(LearningRateSchedule v) {
        schedule = Objects.requireNonNull(v);
        return this;
    }

    /** Clips the gradient to this global L2 norm (0, the default, turns clipping off). */
    public TrainerBuilder clipGlobalNorm(double v) {
        if (!(v >= 0)) {
            throw new IllegalArgumentException("clip norm must be >= 0, got " + v);
        }
        clipNorm = v;
        return this;
    }

    public TrainerBuilder sens(Sens v) {
        sens = Objects.requireNonNull(v);
        return this;
    }

    public TrainerBuilder seed(long v) {
        seed = v;
        return this;
    }

    /** Reshuffle each partition's rows every epoch (default true). */
    public TrainerBuilder shuffle(boolean v) {
        shuffle = v;
        return this;
    }

    /**
     * Data evaluated with the trainer's metrics (weighted mean loss, accuracy) after every epoch, or
     * every {@link #validateEvery} steps, and after the last step; listeners get each evaluation
     * through {@link ProgressListener#onEpoch}, and {@link DataParallelTrainer.Result#validation}
     * is the last one.
     */
    public TrainerBuilder validation(TrainingData v) {
        validation = v;
        return this;
    }

    /**
     * Evaluates the validation set every {@code steps} steps (and after the last) instead of after
     * every epoch; {@code 0} (the default) is every epoch.
     */
    public TrainerBuilder validateEvery(int steps) {
        if (steps < 0) {
            throw new IllegalArgumentException("validate every must be >= 0 steps (0: every epoch), got " + steps);
        }
        validateEvery = steps;
        return this;
    }

    /**
     * Early stopping on the {@link #validation} set, as XGBoost's and LightGBM's
     * {@code early_stopping_rounds}: stops after {@code rounds} evaluations in a row whose
     * validation loss is not lower than the best so far by more than {@code tol} (an improvement
     * is {@code loss < best - tol}; {@code tol = 0} asks for any strict decrease), and returns the
     * parameters of the best evaluation's step rather than the last ones (see {@link EarlyStopping}
     * and {@link DataParallelTrainer.Result#earlyStopping}). Checkpoints record the best step, its
     * loss, the counter and the best parameters, so {@link #resume} continues the same decision.
     * {@code rounds = 0} (the default) turns it off.
     *
     * @throws IllegalArgumentException here if {@code rounds < 0} or {@code tol} is negative or not
     *         finite, and from {@link #config} if {@code rounds > 0} without a validation set
     */
    public TrainerBuilder earlyStopping(int rounds, double tol) {
        if (rounds < 0) {
            throw new IllegalArgumentException("early-stopping rounds must be >= 0 (0: off), got " + rounds);
        }
        if (!(tol >= 0 && Double.isFinite(tol))) {
            throw new IllegalArgumentException("early-stopping tol must be finite and >= 0, got " + tol);
        }
        earlyStoppingRounds = rounds;
        earlyStoppingTol = tol;
        return this;
    }

    /** {@link #earlyStopping(int, double)} with {@code tol = 0}: any strict decrease is an improvement. */
    public TrainerBuilder earlyStoppingRounds(int rounds) {
        return earlyStopping(rounds, 0);
    }

    /** Where checkpoints go (any Hadoop path), written every {@code every} steps and at the end. */
    public TrainerBuilder checkpoints(String dir, int every) {
        checkpointDir = Objects.requireNonNull(dir);
        checkpointEvery = every;
        return this;
    }

    /** Continue from the latest checkpoint in the checkpoint directory, if there is one. */
    public TrainerBuilder resume(boolean v) {
        resume = v;
        return this;
    }

    /**
     * Keep the {@code n} checkpoints of highest step (default
     * {@value TrainerConfig#DEFAULT_KEEP_CHECKPOINTS}); older ones are deleted after each new
     * one is durable (synced and renamed into place). {@code 0} keeps all.
     */
    public TrainerBuilder keepCheckpoints(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("keep checkpoints must be >= 0 (0 keeps all), got " + n);
        }
        keepCheckpoints = n;
        return this;
    }

    public TrainerBuilder listener(ProgressListener v) {
        listeners.add(Objects.requireNonNull(v));
        return this;
    }

    public TrainerBuilder taskHook(TaskHook v) {
        hook = Objects.requireNonNull(v);
        return this;
    }

    /** A description of the model stored in checkpoints. */
    public TrainerBuilder modelDescription(String v) {
        modelText = Objects.requireNonNull(v);
        return this;
    }

    /** Non-finite steps tolerated in a row before training stops (default 3). */
    public TrainerBuilder maxSkippedSteps(int v) {
        maxSkippedSteps = v;
        return this;
    }

    /**
     * An L2 penalty on the parameters whose hierarchical name (as in
     * {@link Cell#trainableParamNames()}, e.g. {@code 0.weight}, {@code fc1.bias}) satisfies
     * {@code paramName}. Every step, after the sens scaling and before clipping and the
     * optimizer step, the driver adds {@code lambda * p} to the gradient of each selected
     * parameter {@code p}:
     * <pre>
     *   g_p = sens-scaled reduced gradient of p + lambda * p     (p selected)
     *   g_p = sens-scaled reduced gradient of p                   (otherwise)
     * </pre>
     * With the default {@link Sens#inverseTotalWeight()} this is the gradient of
     * {@code sum_i w_i loss_i / sum_i w_i + lambda / 2 * sum_{p selected} ||p||^2}, which is
     * Spark MLlib's objective with {@code regParam = lambda}, {@code elasticNetParam = 0} and
     * {@code standardization = false} when only the weights are selected
     * ({@code name -> name.endsWith("weight")}; MLlib does not regularise the intercept).
     * Unlike an optimizer's {@code weightDecay}, which applies to every parameter, it can leave
     * biases out, and gradient clipping sees it. The step loss reported to listeners is the
     * data loss alone, without the penalty. {@code lambda = 0} (the default) turns it off.
     *
     * @throws IllegalArgumentException here if {@code lambda} is negative or not finite, and
     *         from {@link #fit} if {@code lambda > 0} and no trainable parameter is selected
     */
    public TrainerBuilder l2(double lambda, Predicate<String> paramName) {
        if (!(lambda >= 0 && Double.isFinite(lambda))) {
            throw new IllegalArgumentException("l2 lambda must be finite and >= 0, got " + lambda);
        }
        l2 = lambda;
        l2Params = Objects.requireNonNull(paramName, "paramName");
        return this;
    }

    /**
     * Full-batch L-BFGS (Breeze's, as in MLlib's {@code LogisticRegression}) instead of a
     * first-order optimizer: at most {@code maxIter} iterations, each one {@link #fit} step,
     * keeping {@code memory} correction pairs, stopping early at {@code tolerance} (see
     * {@link Lbfgs}). Every evaluation is one {@link LossFunction#calculate} over all rows, with
     * the {@link #l2} term and the sens as for the first-order optimizers. Needs the
     * optimizer-less {@link DataParallelTrainer#builder(ModelFactory, LossKind)}, and no batch
     * size, mini-batch fraction or clipping; {@code epochs}, {@code steps} and the schedule are
     * not used. Checkpoints hold the minimiser's state, so {@link #resume} continues the same
     * iterations.
     */
    public TrainerBuilder lbfgs(int maxIter, int memory, double tolerance) {
        return lbfgs(Lbfgs.of(maxIter, memory, tolerance));
    }

    /**
     * OWL-QN (Breeze's, as in MLlib for an L1 or elastic-net term): L-BFGS on the objective
     * plus {@code l1 * sum |p|} over the parameters whose name satisfies {@code l1Params};
     * otherwise as {@link #lbfgs(int, int, double)}. MLlib, like {@link #l2}, leaves the
     * intercept out: {@code name -> name.endsWith("weight")}.
     */
    public TrainerBuilder owlqn(int maxIter, int memory, double tolerance, double l1, Predicate<String> l1Params) {
        if (!(l1 > 0)) {
            throw new IllegalArgumentException("owlqn needs an L1 lambda > 0, got " + l1 + "; use lbfgs for none");
        }
        return lbfgs(new Lbfgs(maxIter, memory, tolerance, l1, l1Params));
    }

    /** L-BFGS or OWL-QN with these settings (see {@link #lbfgs(int, int, double)}). */
    public TrainerBuilder lbfgs(Lbfgs v) {
        lbfgs = Objects.requireNonNull(v);
        return this;
    }

    /**
     * The configuration set so far, as an immutable value (for a {@link LossFunction}, or to
     * inspect).
     *
     * @throws IllegalArgumentException if {@code resume} is set without a checkpoint directory, or
     *         early stopping without a validation set
     */
    public TrainerConfig config() {
        return new TrainerConfig(model, loss, optimizer, epochs, steps, batchSize, miniBatchFraction, microBatch,
                treeDepth, schedule, clipNorm, sens, seed, shuffle, validation, checkpointDir, checkpointEvery,
                resume, keepCheckpoints, listeners, hook, modelText, maxSkippedSteps, l2, l2Params, lbfgs, validateEvery,
                earlyStoppingRounds, earlyStoppingTol);
    }

    public DataParallelTrainer build() {
        return new DataParallelTrainer(config());
    }
}
