package io.sparkgrad.spark;

import io.sparkgrad.ParameterTuple;
import io.sparkgrad.Tensor;
import io.sparkgrad.nn.Cell;
import io.sparkgrad.nn.Optimizer;
import io.sparkgrad.ops.Ops;
import io.sparkgrad.spark.checkpoint.Checkpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * Synchronous data-parallel training on Spark. Every step:
 * <ol>
 *   <li>the driver broadcasts the parameters as one flat buffer;</li>
 *   <li>each partition rebuilds the model, loads them and computes the gradient of its rows'
 *       weighted loss sum with {@code GradOperation(getByList=true)}, in micro-batches
 *       ({@link PartitionGradient});</li>
 *   <li>the partial sums are tree-reduced in a fixed order ({@link TreeReduce}) and the broadcast
 *       is destroyed;</li>
 *   <li>the driver applies the sens scaling ({@link Sens}) and adds the optional L2 term
 *       ({@link Builder#l2}); steps 1 to 4 are {@link LossFunction#calculate};</li>
 *   <li>the driver clips by global norm, sets the scheduled learning rate and runs the optimizer
 *       step.</li>
 * </ol>
 * A step whose gradient or loss is not finite is skipped, not applied, and reported with its
 * partition and rows; after {@code maxSkippedSteps} skips in a row training stops. Checkpoints are
 * written atomically every {@code checkpointEvery} steps; {@code resume} continues from the latest
 * one to the same final parameters as an uninterrupted run.
 *
 * <p>Row selection is deterministic ({@link StepPlan}), so two runs with the same data,
 * partitioning and seed give bitwise-identical parameters. The configuration is a
 * {@link TrainerConfig}, made by {@link Builder}.
 */
public final class DataParallelTrainer {
    private final TrainerConfig c;

    private DataParallelTrainer(TrainerConfig c) {
        this.c = c;
    }

    public static Builder builder(ModelFactory model, LossKind loss, OptimizerFactory optimizer) {
        return new Builder(model, loss, Objects.requireNonNull(optimizer, "optimizer"));
    }

    /**
     * A builder without a first-order optimizer, for full-batch L-BFGS or OWL-QN: call
     * {@link Builder#lbfgs} or {@link Builder#owlqn} on it. Any {@link ModelFactory} works,
     * a user's own Cell as well as a {@link ModelSpec}.
     */
    public static Builder builder(ModelFactory model, LossKind loss) {
        return new Builder(model, loss, null);
    }

    /** Configures a {@link DataParallelTrainer}. */
    public static final class Builder {
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

        private Builder(ModelFactory model, LossKind loss, OptimizerFactory optimizer) {
            this.model = Objects.requireNonNull(model, "model");
            this.loss = Objects.requireNonNull(loss, "loss");
            this.optimizer = optimizer;
        }

        /** Number of passes over the data (default 1); ignored when {@link #steps} is set. */
        public Builder epochs(int v) {
            if (v < 1) {
                throw new IllegalArgumentException("epochs must be >= 1, got " + v);
            }
            epochs = v;
            return this;
        }

        /** A fixed number of steps, instead of epochs. */
        public Builder steps(long v) {
            if (v < 1) {
                throw new IllegalArgumentException("steps must be >= 1, got " + v);
            }
            steps = v;
            return this;
        }

        /** Rows per step across all partitions (default: the whole data set, full-batch). */
        public Builder batchSize(int v) {
            if (v < 1) {
                throw new IllegalArgumentException("batch size must be >= 1, got " + v);
            }
            batchSize = v;
            return this;
        }

        /** The fraction of the rows each step uses, like MLlib's {@code miniBatchFraction}. */
        public Builder miniBatchFraction(double v) {
            if (!(v > 0 && v <= 1)) {
                throw new IllegalArgumentException("mini-batch fraction must be in (0, 1], got " + v);
            }
            miniBatchFraction = v;
            return this;
        }

        /** Rows per engine call inside a partition (default 512). */
        public Builder microBatch(int v) {
            if (v < 1) {
                throw new IllegalArgumentException("micro-batch must be >= 1, got " + v);
            }
            microBatch = v;
            return this;
        }

        /** Depth of the reduction tree (default 2). */
        public Builder treeDepth(int v) {
            if (v < 1) {
                throw new IllegalArgumentException("tree depth must be >= 1, got " + v);
            }
            treeDepth = v;
            return this;
        }

        public Builder schedule(LearningRateSchedule v) {
            schedule = Objects.requireNonNull(v);
            return this;
        }

        /** Clips the gradient to this global L2 norm (0, the default, turns clipping off). */
        public Builder clipGlobalNorm(double v) {
            if (!(v >= 0)) {
                throw new IllegalArgumentException("clip norm must be >= 0, got " + v);
            }
            clipNorm = v;
            return this;
        }

        public Builder sens(Sens v) {
            sens = Objects.requireNonNull(v);
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        /** Reshuffle each partition's rows every epoch (default true). */
        public Builder shuffle(boolean v) {
            shuffle = v;
            return this;
        }

        /** Data evaluated after every epoch. */
        public Builder validation(TrainingData v) {
            validation = v;
            return this;
        }

        /** Where checkpoints go (any Hadoop path), written every {@code every} steps and at the end. */
        public Builder checkpoints(String dir, int every) {
            checkpointDir = Objects.requireNonNull(dir);
            checkpointEvery = every;
            return this;
        }

        /** Continue from the latest checkpoint in the checkpoint directory, if there is one. */
        public Builder resume(boolean v) {
            resume = v;
            return this;
        }

        /**
         * Keep the {@code n} checkpoints of highest step (default
         * {@value TrainerConfig#DEFAULT_KEEP_CHECKPOINTS}); older ones are deleted after each new
         * one is durable (synced and renamed into place). {@code 0} keeps all.
         */
        public Builder keepCheckpoints(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("keep checkpoints must be >= 0 (0 keeps all), got " + n);
            }
            keepCheckpoints = n;
            return this;
        }

        public Builder listener(ProgressListener v) {
            listeners.add(Objects.requireNonNull(v));
            return this;
        }

        public Builder taskHook(TaskHook v) {
            hook = Objects.requireNonNull(v);
            return this;
        }

        /** A description of the model stored in checkpoints. */
        public Builder modelDescription(String v) {
            modelText = Objects.requireNonNull(v);
            return this;
        }

        /** Non-finite steps tolerated in a row before training stops (default 3). */
        public Builder maxSkippedSteps(int v) {
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
        public Builder l2(double lambda, Predicate<String> paramName) {
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
        public Builder lbfgs(int maxIter, int memory, double tolerance) {
            return lbfgs(Lbfgs.of(maxIter, memory, tolerance));
        }

        /**
         * OWL-QN (Breeze's, as in MLlib for an L1 or elastic-net term): L-BFGS on the objective
         * plus {@code l1 * sum |p|} over the parameters whose name satisfies {@code l1Params};
         * otherwise as {@link #lbfgs(int, int, double)}. MLlib, like {@link #l2}, leaves the
         * intercept out: {@code name -> name.endsWith("weight")}.
         */
        public Builder owlqn(int maxIter, int memory, double tolerance, double l1, Predicate<String> l1Params) {
            if (!(l1 > 0)) {
                throw new IllegalArgumentException("owlqn needs an L1 lambda > 0, got " + l1 + "; use lbfgs for none");
            }
            return lbfgs(new Lbfgs(maxIter, memory, tolerance, l1, l1Params));
        }

        /** L-BFGS or OWL-QN with these settings (see {@link #lbfgs(int, int, double)}). */
        public Builder lbfgs(Lbfgs v) {
            lbfgs = Objects.requireNonNull(v);
            return this;
        }

        /**
         * The configuration set so far, as an immutable value (for a {@link LossFunction}, or to
         * inspect).
         *
         * @throws IllegalArgumentException if {@code resume} is set without a checkpoint directory
         */
        public TrainerConfig config() {
            return new TrainerConfig(model, loss, optimizer, epochs, steps, batchSize, miniBatchFraction, microBatch,
                    treeDepth, schedule, clipNorm, sens, seed, shuffle, validation, checkpointDir, checkpointEvery,
                    resume, keepCheckpoints, listeners, hook, modelText, maxSkippedSteps, l2, l2Params, lbfgs);
        }

        public DataParallelTrainer build() {
            return new DataParallelTrainer(config());
        }
    }

    /**
     * The outcome of {@link #fit}. {@code optimizer} is null for an L-BFGS run, whose
     * {@code stopReason} says why it stopped (Breeze's reason, e.g. "function values converged"); a
     * first-order run's is null.
     */
    public record Result(Cell model, ParameterTuple parameters, Optimizer optimizer, List<StepRecord> history,
                         Evaluator.Metrics validation, long rows, String stopReason) {
        /** The trained parameters as one flat buffer. */
        public float[] flatParameters() {
            return parameters.flatten();
        }
    }

    /** This trainer's configuration. */
    public TrainerConfig config() {
        return c;
    }

    /** Trains on {@code data} and returns the trained model. */
    public Result fit(SparkSession spark, TrainingData data) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        KryoCheck.verify();
        Cell model = c.model().create();
        ParameterTuple params = model.trainableParamTuple();
        L2Regularization l2 = L2Regularization.select(params, c.l2(), c.l2Params());
        long rows = validate(model, data);
        RunCheckpoints checkpoints = new RunCheckpoints(c, sc);
        LossFunction objective = new LossFunction(sc, data.blocks(), c, l2);
        if (c.lbfgs() != null) {
            return fitLbfgs(sc, model, params, objective, checkpoints, rows);
        }
        Optimizer opt = c.optimizer().create(params);
        double baseLr = opt.learningRate();
        int perEpoch = c.stepsPerEpoch(rows);
        long total = c.totalSteps(perEpoch);
        long start = checkpoints.resume(params, opt);
        List<StepRecord> history = new ArrayList<>();
        Evaluator.Metrics lastVal = null;
        for (ProgressListener l : c.listeners()) {
            l.onStart(start + 1, total);
        }
        int skippedInRow = 0;
        long t0 = System.nanoTime();
        for (long step = start + 1; step <= total; step++) {
            int epoch = (int) ((step - 1) / perEpoch);
            int k = (int) ((step - 1) % perEpoch);
            double lr = c.schedule().at(step, total, baseLr);
            opt.setLearningRate(lr);
            sc.setJobDescription("SparkGrad step " + step + "/" + total + " (epoch " + (epoch + 1) + ")");
            long s0 = System.nanoTime();
            LossFunction.Evaluation e = objective.calculate(params.flatten(),
                    new StepPlan(step, epoch, k, perEpoch, c.seed(), c.shuffle(), c.microBatch()));
            double norm = e.usable() ? clipAndStep(opt, e.gradient()) : Double.NaN;
            StepRecord rec = new StepRecord(step, total, epoch, e.meanLoss(), e.count(), seconds(s0), lr, norm,
                    !e.usable(), e.problem());
            skippedInRow = e.usable() ? 0 : skippedInRow + 1;
            if (skippedInRow > c.maxSkippedSteps()) {
                notify(rec, Double.NaN);
                throw new NonFiniteStepException("step " + step + " skipped: " + e.problem() + " (" + skippedInRow
                        + " steps in a row); parameters and checkpoints are from step " + (step - skippedInRow));
            }
            history.add(rec);
            notify(rec, seconds(t0) / (step - start) * (total - step));
            if ((k == perEpoch - 1 || step == total) && c.validation() != null) {
                lastVal = Evaluator.evaluate(sc, c.validation(), c.model(), c.loss(), params.flatten(), c.microBatch());
                for (ProgressListener l : c.listeners()) {
                    l.onEpoch(epoch, lastVal);
                }
            }
            checkpoints.afterStep(rec, params, opt);
        }
        sc.setJobDescription(null);
        for (ProgressListener l : c.listeners()) {
            l.onFinish();
        }
        return new Result(model, params, opt, history, lastVal, rows, null);
    }

    /**
     * The fit loop for L-BFGS: Breeze's minimiser calls the same step function,
     * {@link LossFunction#calculate} (full-batch), once per evaluation; each of its iterations is
     * one step, reported, validated and checkpointed as a first-order step is. A step's loss is the
     * mean data loss at the iteration's new point, its learning rate NaN (Breeze's line search
     * chooses the step length), its gradient norm that of the objective there.
     */
    private Result fitLbfgs(JavaSparkContext sc, Cell model, ParameterTuple params, LossFunction objective,
                            RunCheckpoints checkpoints, long rows) {
        LbfgsRun run = new LbfgsRun(c.lbfgs(), objective, params, c.microBatch());
        long total = c.lbfgs().maxIter();
        Checkpoint resumed = checkpoints.resumeParameters(params);
        int numel = params.flatten().length;
        run.atStep(0);
        var state = resumed == null ? run.start(params.flatten()) : run.restore(resumed.optimizerState(), numel);
        long start = state.iter();
        List<StepRecord> history = new ArrayList<>();
        Evaluator.Metrics lastVal = null;
        for (ProgressListener l : c.listeners()) {
            l.onStart(start + 1, total);
        }
        var it = run.after(state);
        String reason = run.converged(state);
        long t0 = System.nanoTime();
        while (reason == null) {
            sc.setJobDescription("SparkGrad " + c.lbfgs().kind() + " iteration " + (state.iter() + 1) + "/" + total);
            long s0 = System.nanoTime();
            run.atStep(state.iter() + 1);
            var next = it.next();
            reason = run.converged(next);
            if (next.iter() == state.iter()) { // Breeze reset its history after a failed line search
                state = next;
                continue;
            }
            state = next;
            long step = state.iter();
            params.load(LbfgsRun.parameters(state));
            LossFunction.Evaluation e = run.lastEvaluation();
            StepRecord rec = new StepRecord(step, total, (int) step - 1, e.meanLoss(), e.count(), seconds(s0),
                    Double.NaN, LbfgsRun.norm(state.adjustedGradient()), false, null);
            history.add(rec);
            notify(rec, seconds(t0) / (step - start) * (total - step));
            if (c.validation() != null) {
                lastVal = Evaluator.evaluate(sc, c.validation(), c.model(), c.loss(), params.flatten(), c.microBatch());
                for (ProgressListener l : c.listeners()) {
                    l.onEpoch((int) step - 1, lastVal);
                }
            }
            var done = state;
            checkpoints.afterStep(rec, params, () -> run.export(done), reason != null);
        }
        params.load(LbfgsRun.parameters(state));
        sc.setJobDescription(null);
        for (ProgressListener l : c.listeners()) {
            l.onFinish();
        }
        return new Result(model, params, null, history, lastVal, rows, reason);
    }

    /**
     * Clips {@code grad} in place to the configured global norm (if any) and runs the optimizer
     * step with it; returns the norm before clipping.
     */
    private double clipAndStep(Optimizer opt, float[] grad) {
        double norm = norm(grad);
        if (c.clipNorm() > 0 && norm > c.clipNorm()) {
            float f = (float) (c.clipNorm() / norm);
            for (int i = 0; i < grad.length; i++) {
                grad[i] *= f;
            }
        }
        opt.step(grad);
        return norm;
    }

    /** Checks the training and validation data against the model once; returns the training rows. */
    private long validate(Cell model, TrainingData data) {
        int outDim;
        try {
            outDim = outputDim(model, data.dim());
        } catch (IllegalArgumentException e) {
            throw new BadDataException(data.source() + " has " + data.dim() + " features, which the model does not take: "
                    + e.getMessage());
        }
        try {
            data.cache();
            long rows = data.validate(c.loss(), outDim);
            if (c.validation() != null) {
                c.validation().cache();
                c.validation().validate(c.loss(), outDim);
            }
            return rows;
        } catch (Exception e) { // Spark's Java API throws its checked SparkException unchecked
            throw BadDataException.unwrap(e);
        }
    }

    private void notify(StepRecord rec, double eta) {
        for (ProgressListener l : c.listeners()) {
            l.onStep(rec, eta);
        }
    }

    /** The model's output width, from one forward pass on a zero row. */
    static int outputDim(Cell model, int inputDim) {
        Tensor out = Ops.stopGradient(model.apply(Tensor.zeros(1, inputDim)));
        return out.rank() >= 2 ? out.shape(-1) : 1;
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    static double norm(float[] g) {
        double s = 0;
        for (float v : g) {
            s += (double) v * v;
        }
        return Math.sqrt(s);
    }
}
