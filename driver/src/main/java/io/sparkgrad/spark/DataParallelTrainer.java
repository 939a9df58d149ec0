package io.sparkgrad.spark;

import io.sparkgrad.ParameterTuple;
import io.sparkgrad.Tensor;
import io.sparkgrad.nn.Cell;
import io.sparkgrad.nn.Optimizer;
import io.sparkgrad.nn.OptimizerState;
import io.sparkgrad.ops.Ops;
import io.sparkgrad.spark.checkpoint.Checkpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
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
 *       ({@link TrainerBuilder#l2}); steps 1 to 4 are {@link LossFunction#calculate};</li>
 *   <li>the driver clips by global norm, sets the scheduled learning rate and runs the optimizer
 *       step.</li>
 * </ol>
 * A step whose gradient or loss is not finite is skipped, not applied, and reported with its
 * partition and rows; after {@code maxSkippedSteps} skips in a row training stops. Checkpoints are
 * written atomically every {@code checkpointEvery} steps; {@code resume} continues from the latest
 * one to the same final parameters as an uninterrupted run. With a validation set and
 * {@link TrainerBuilder#earlyStopping}, the run stops after that many evaluations without
 * improvement and returns the best step's parameters ({@link EarlyStopping}); the checkpoints carry
 * that decision, so a resume makes it the same way.
 *
 * <p>Row selection is deterministic ({@link StepPlan}), so two runs with the same data,
 * partitioning and seed give bitwise-identical parameters. The configuration is a
 * {@link TrainerConfig}, made by {@link TrainerBuilder}.
 */
public final class DataParallelTrainer {
    private final TrainerConfig c;

    DataParallelTrainer(TrainerConfig c) {
        this.c = c;
    }

    public static TrainerBuilder builder(ModelFactory model, LossKind loss, OptimizerFactory optimizer) {
        return new TrainerBuilder(model, loss, Objects.requireNonNull(optimizer, "optimizer"));
    }

    /**
     * A builder without a first-order optimizer, for full-batch L-BFGS or OWL-QN: call
     * {@link TrainerBuilder#lbfgs} or {@link TrainerBuilder#owlqn} on it. Any {@link ModelFactory} works,
     * a user's own Cell as well as a {@link ModelSpec}.
     */
    public static TrainerBuilder builder(ModelFactory model, LossKind loss) {
        return new TrainerBuilder(model, loss, null);
    }


    /**
     * The outcome of {@link #fit}. {@code optimizer} is null for an L-BFGS run, whose
     * {@code stopReason} says why it stopped (Breeze's reason, e.g. "function values converged"); a
     * first-order run's is null unless early stopping ended it. {@code validation} is the last
     * evaluation of this process (null if there was none, e.g. a resume of a run that had already
     * stopped). {@code earlyStopping} is null when early stopping is off; when it is on,
     * {@code model} and {@code parameters} hold the best step's parameters (the optimizer keeps the
     * state of the last step run), and it says which step that was and whether and where the run
     * stopped early. {@code optimizerState} is the state a checkpoint of the last step holds: the
     * optimizer's ({@link Optimizer#exportState()}) or, for L-BFGS, the minimiser's (kind
     * {@code LBFGS} or {@code OWLQN}, its step the iteration; see docs/CHECKPOINT_FORMAT.md).
     */
    public record Result(Cell model, ParameterTuple parameters, Optimizer optimizer, List<StepRecord> history,
                         Evaluator.Metrics validation, long rows, String stopReason,
                         EarlyStopping.Outcome earlyStopping, OptimizerState optimizerState) {
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
        Checkpoint resumed = checkpoints.resume(params, opt);
        long start = resumed == null ? 0 : resumed.step();
        EarlyStopping es = earlyStopping(resumed);
        List<StepRecord> history = new ArrayList<>();
        Evaluator.Metrics lastVal = null;
        for (ProgressListener l : c.listeners()) {
            l.onStart(start + 1, total);
        }
        int skippedInRow = 0;
        EtaEstimator eta = EtaEstimator.standard();
        EpochSums epochSums = new EpochSums();
        int epochs = (int) ((total + perEpoch - 1) / perEpoch);
        long last = System.nanoTime();
        for (long step = start + 1; step <= total && (es == null || !es.stopped()); step++) {
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
            epochSums.add(e);
            eta.observe(seconds(last));
            last = System.nanoTime();
            notify(rec, eta.eta(total - step));
            boolean stop = false;
            boolean validates = c.validatesAfter(step, k, perEpoch, total);
            if (validates) {
                lastVal = validate(sc, params, epoch);
                stop = es != null && es.record(step, epoch, lastVal.meanLoss(), params.flatten());
            }
            if (k == perEpoch - 1 || step == total || stop) {
                EpochRecord done = epochSums.finish(epoch, epochs, step, validates ? lastVal : null, c.loss());
                for (ProgressListener l : c.listeners()) {
                    l.onEpoch(done);
                }
            }
            checkpoints.afterStep(rec, params, opt::exportState, stop, es == null ? null : es.state());
        }
        sc.setJobDescription(null);
        for (ProgressListener l : c.listeners()) {
            l.onFinish();
        }
        return new Result(model, params, opt, history, lastVal, rows, keepBest(es, params, total),
                es == null ? null : es.outcome(total), opt.exportState());
    }

    /** The run's early stopping, continued from {@code resumed}'s state if the run resumes; or null. */
    private EarlyStopping earlyStopping(Checkpoint resumed) {
        EarlyStopping es = EarlyStopping.of(c);
        if (es != null && resumed != null) {
            es.restore(resumed.earlyStopping(), resumed.step(), resumed.epoch());
        }
        return es;
    }

    /** Evaluates the validation set at {@code params} and tells the listeners. */
    /** Evaluates the validation set with the current parameters; tells the listeners. */
    private Evaluator.Metrics validate(JavaSparkContext sc, ParameterTuple params, int epoch) {
        Evaluator.Metrics m = Evaluator.evaluate(sc, c.validation(), c.model(), c.loss(), params.flatten(),
                c.microBatch());
        for (ProgressListener l : c.listeners()) {
            l.onValidation(epoch, m);
        }
        return m;
    }

    /**
     * With early stopping, loads the best step's parameters into {@code params} (if an evaluation
     * improved) and returns the stop reason if the run stopped before its {@code total}; otherwise
     * null.
     */
    private static String keepBest(EarlyStopping es, ParameterTuple params, long total) {
        if (es == null) {
            return null;
        }
        float[] best = es.bestValues();
        if (best != null) {
            params.load(best);
        }
        EarlyStopping.Outcome o = es.outcome(total);
        return o.stoppedEarly() ? stopReason(o) : null;
    }

    private static String stopReason(EarlyStopping.Outcome o) {
        return "early stopping: the validation loss did not improve in " + o.roundsWithoutImprovement()
                + " evaluations after step " + o.bestStep() + " (best " + o.bestLoss() + "); stopped after step "
                + o.stoppedAtStep();
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
        EarlyStopping es = earlyStopping(resumed);
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
        String reason = es != null && es.stopped() ? stopReason(es.outcome(Long.MAX_VALUE)) : run.converged(state);
        EtaEstimator eta = EtaEstimator.standard();
        long last = System.nanoTime();
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
            eta.observe(seconds(last));
            last = System.nanoTime();
            notify(rec, eta.eta(total - step));
            boolean validates = c.validatesAfter(step, 0, 1, total);
            if (validates) {
                lastVal = validate(sc, params, (int) step - 1);
                if (es != null && es.record(step, (int) step - 1, lastVal.meanLoss(), params.flatten())) {
                    reason = stopReason(es.outcome(Long.MAX_VALUE));
                }
            }
            EpochRecord iteration = new EpochRecord((int) step - 1, (int) total, step, e.meanLoss(), Double.NaN,
                    validates ? lastVal : null);
            for (ProgressListener l : c.listeners()) {
                l.onEpoch(iteration);
            }
            var done = state;
            checkpoints.afterStep(rec, params, () -> run.export(done), reason != null, es == null ? null : es.state());
        }
        params.load(LbfgsRun.parameters(state));
        sc.setJobDescription(null);
        for (ProgressListener l : c.listeners()) {
            l.onFinish();
        }
        keepBest(es, params, total);
        return new Result(model, params, null, history, lastVal, rows, reason,
                es == null ? null : es.outcome(total), run.export(state));
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

    /** The running training loss (and accuracy) of the current epoch, from its steps' sums. */
    private static final class EpochSums {
        private double loss;
        private double weight;
        private long correct;
        private long counted;

        void add(LossFunction.Evaluation e) {
            if (e.usable()) {
                loss += e.meanLoss() * e.weight();
                weight += e.weight();
                correct += e.correct();
                counted += e.count();
            }
        }

        EpochRecord finish(int epoch, int epochs, long step, Evaluator.Metrics validation, LossKind kind) {
            EpochRecord r = new EpochRecord(epoch, epochs, step, weight > 0 ? loss / weight : Double.NaN,
                    kind.isClassification() && counted > 0 ? (double) correct / counted : Double.NaN, validation);
            loss = 0;
            weight = 0;
            correct = 0;
            counted = 0;
            return r;
        }
    }

    private void notify(StepRecord rec, double eta) {
        for (ProgressListener l : c.listeners()) {
            l.onStep(rec, eta);
        }
    }

    /** The model's output width, from one forward pass on a zero row. */
    static int outputDim(Cell model, int inputDim) {
        Tensor out = Ops.stopGradient(model.apply(Tensor.zeros(Precision.of(model), 1, inputDim)));
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
