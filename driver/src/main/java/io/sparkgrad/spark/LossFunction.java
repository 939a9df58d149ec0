package io.sparkgrad.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The training objective over distributed data as a function of the flat parameter vector, in the
 * manner of MLlib's {@code RDDLossFunction.calculate}: parameters in, scaled and regularised loss
 * and gradient out. One {@link #calculate} broadcasts the parameters, computes each partition's
 * {@link GradientSum}, tree-reduces them in a fixed order and destroys the broadcast
 * ({@link DistributedGradient}), then applies the {@link Sens} scaling and adds the
 * {@link L2Regularization} term. It neither clips nor steps an optimizer, so a first-order loop
 * ({@link DataParallelTrainer}) and a quasi-Newton one (L-BFGS) can both use it. Deterministic:
 * the same parameters, data, partitioning and plan give a bitwise-identical result.
 */
public final class LossFunction {
    private final DistributedGradient gradient;
    private final Sens sens;
    private final L2Regularization l2;
    private final int microBatch;

    /**
     * The objective of {@code config}'s model, loss, sens and task hook over {@code blocks}, reduced
     * with its tree depth, with the penalty {@code l2} (see {@link L2Regularization#select}).
     */
    public LossFunction(JavaSparkContext sc, JavaRDD<DataBlock> blocks, TrainerConfig config, L2Regularization l2) {
        PartitionGradient worker = new PartitionGradient(config.model(), config.loss(), config.hook(),
                config.sens().partitionSens());
        this.gradient = new DistributedGradient(sc, blocks, worker, config.treeDepth());
        this.sens = config.sens();
        this.l2 = l2;
        this.microBatch = config.microBatch();
    }

    /**
     * One evaluation at {@code params}: {@code objective} is the sens-scaled data loss plus the L2
     * penalty ({@link Sens#objective}; with the default sens the weighted mean loss plus
     * {@code lambda / 2 * sum ||p||^2}), {@code gradient} its gradient (flat, in the layout of the
     * parameters), {@code meanLoss} the weighted mean data loss without the penalty (what progress
     * reports show), {@code count} and {@code weight} the rows used and their total weight, {@code correct}
     * the rows a classifier got right before the update (0 for regression). When a
     * gradient or loss is not finite, or the rows have zero total weight, {@code problem} says
     * where or why, and {@code objective}, {@code gradient} and {@code meanLoss} are NaN, null and NaN.
     */
    public record Evaluation(double objective, float[] gradient, double meanLoss, long count, double weight,
                             String problem, long correct) {
        /** Without a count of rows classified right. */
        public Evaluation(double objective, float[] gradient, double meanLoss, long count, double weight, String problem) {
            this(objective, gradient, meanLoss, count, weight, problem, 0);
        }

        /** Whether the evaluation has a finite gradient that may be applied. */
        public boolean usable() {
            return problem == null;
        }
    }

    /** The objective over every row, in storage order ({@link StepPlan#fullBatch}). */
    public Evaluation calculate(float[] params) {
        return calculate(params, StepPlan.fullBatch(microBatch));
    }

    /** The objective over the rows {@code plan} selects (one mini-batch step). */
    public Evaluation calculate(float[] params, StepPlan plan) {
        GradientSum sum = gradient.compute(params, plan);
        if (!sum.isFinite() || sum.weight() <= 0) {
            String why = !sum.isFinite() ? sum.nonFinite() : "the step's rows have zero total weight";
            return new Evaluation(Double.NaN, null, Double.NaN, sum.count(), sum.weight(), why);
        }
        float[] grad = sum.scaledGradient(sens.driverScale(sum.weight()));
        double penalty = l2.addTo(grad, params);
        double objective = sens.objective(sum.loss(), sum.weight()) + penalty;
        return new Evaluation(objective, grad, sum.loss() / sum.weight(), sum.count(), sum.weight(), null, sum.correct());
    }
}
