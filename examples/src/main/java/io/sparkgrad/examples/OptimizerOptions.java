package io.sparkgrad.examples;

import static io.sparkgrad.examples.UsageException.require;

import io.sparkgrad.spark.DataParallelTrainer;
import io.sparkgrad.spark.LearningRateSchedule;
import io.sparkgrad.spark.LossKind;
import io.sparkgrad.spark.ModelFactory;
import io.sparkgrad.spark.OptimizerFactory;
import io.sparkgrad.spark.TrainerBuilder;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The train subcommand's optimizer options (a picocli mixin): a first-order optimizer (adam,
 * adamw, sgd) with its learning rate, momentum, weight decay, schedule and clipping, or full-batch
 * L-BFGS ({@code lbfgs}) or OWL-QN ({@code owlqn}, L-BFGS with an {@code --l1} term on the
 * weights), Breeze's minimisers as MLlib's {@code LogisticRegression} runs them: at most
 * {@code --epochs} iterations, {@value #LBFGS_MEMORY} correction pairs, tolerance
 * {@value #LBFGS_TOL}. {@link #validate} checks them before Spark starts; {@link #builder} makes the
 * trainer's builder.
 */
final class OptimizerOptions {
    /** The optimizers that take a learning rate. */
    static final List<String> FIRST_ORDER = List.of("adam", "adamw", "sgd");
    /** The full-batch quasi-Newton minimisers. */
    static final List<String> QUASI_NEWTON = List.of("lbfgs", "owlqn");
    /** L-BFGS correction pairs kept, as MLlib's LogisticRegression. */
    static final int LBFGS_MEMORY = 10;
    /** L-BFGS convergence tolerance, MLlib's default {@code tol}. */
    static final double LBFGS_TOL = 1e-6;
    /** The options only the first-order optimizers take. */
    static final List<String> FIRST_ORDER_OPTIONS = List.of("--lr", "--momentum", "--weight-decay", "--schedule", "--clip");

    @Option(names = "--lr", defaultValue = "0.005", description = "Learning rate, positive (default: ${DEFAULT-VALUE})")
    double lr;

    @Option(names = "--optimizer", defaultValue = "adam", description = "adam | adamw | sgd | lbfgs | owlqn; lbfgs (L-BFGS)"
            + " and owlqn (L-BFGS with an --l1 term) are full batch and run at most --epochs iterations, with "
            + LBFGS_MEMORY + " correction pairs and tolerance 1e-6 as MLlib's LogisticRegression;"
            + " they take no --lr, --momentum, --weight-decay, --schedule or --clip (default: ${DEFAULT-VALUE})")
    String optimizer;

    @Option(names = "--l2", defaultValue = "0", description = "An L2 penalty l2/2 * ||w||^2 on the weights (not the biases),"
            + " MLlib's regParam, with any optimizer; 0 = off (default: ${DEFAULT-VALUE})")
    double l2;

    @Option(names = "--l1", defaultValue = "0", description = "The L1 penalty on the weights (not the biases) of --optimizer owlqn,"
            + " which needs it positive (default: ${DEFAULT-VALUE})")
    double l1;

    @Option(names = "--momentum", defaultValue = "0.9", description = "SGD momentum, in [0, 1) (default: ${DEFAULT-VALUE})")
    double momentum;

    @Option(names = "--weight-decay", defaultValue = "0", description = "Weight decay, 0 or more (default: ${DEFAULT-VALUE})")
    double weightDecay;

    @Option(names = "--schedule", defaultValue = "constant", description = "constant | step:EVERY:GAMMA | cosine[:WARMUP] (default: ${DEFAULT-VALUE})")
    String schedule;

    @Option(names = "--clip", defaultValue = "0", description = "Clip gradients to this global norm, 0 = off (default: ${DEFAULT-VALUE})")
    double clip;

    /** The command this mixin is part of, for what was given on its command line. */
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    private boolean given(String option) {
        return DataOptions.given(mixee, option);
    }

    /** The optimizer's name in lower case. */
    String name() {
        return optimizer.toLowerCase(Locale.ROOT);
    }

    /** Whether this run is full-batch L-BFGS or OWL-QN. */
    boolean quasiNewton() {
        return QUASI_NEWTON.contains(name());
    }

    /**
     * Checks the optimizer options before Spark starts, with the run's {@code --batch-size}
     * ({@code batchSizeGiven}: whether the command line gave it; L-BFGS refuses a mini-batch, and
     * ignores the first-order default); throws {@link UsageException} naming the option.
     */
    void validate(int batchSize, boolean batchSizeGiven) {
        require(FIRST_ORDER.contains(name()) || quasiNewton(),
                "--optimizer '" + optimizer + "': expected adam, adamw, sgd, lbfgs or owlqn");
        try {
            LearningRateSchedule.parse(schedule);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--schedule '" + schedule + "': expected constant, step:EVERY:GAMMA or cosine[:WARMUP]");
        }
        require(lr > 0 && Double.isFinite(lr), "--lr must be a positive number, got " + lr);
        require(momentum >= 0 && momentum < 1, "--momentum must be in [0, 1), got " + momentum);
        require(weightDecay >= 0 && Double.isFinite(weightDecay), "--weight-decay must be 0 or more, got " + weightDecay);
        require(clip >= 0 && Double.isFinite(clip), "--clip must be 0 (off) or more, got " + clip);
        require(l2 >= 0 && Double.isFinite(l2), "--l2 must be 0 or more, got " + l2);
        require(l1 >= 0 && Double.isFinite(l1), "--l1 must be 0 or more, got " + l1);
        if (!quasiNewton()) {
            require(l1 == 0, "--l1 is the L1 term of --optimizer owlqn; this run uses --optimizer " + optimizer);
            return;
        }
        require(!(batchSizeGiven && batchSize > 0), "--optimizer " + optimizer + " is full batch; --batch-size " + batchSize
                + " is a mini-batch (give 0, or leave --batch-size out)");
        for (String option : FIRST_ORDER_OPTIONS) {
            require(!given(option), "--optimizer " + optimizer + " takes no " + option + " (it is for adam, adamw and sgd)");
        }
        require(!name().equals("owlqn") || l1 > 0, "--optimizer owlqn needs --l1 > 0 (its L1 penalty); for none use --optimizer lbfgs");
        require(!name().equals("lbfgs") || l1 == 0, "--l1 is the L1 term of --optimizer owlqn; this run uses --optimizer lbfgs");
    }

    /**
     * The trainer's builder for {@code model} and {@code loss}: the first-order optimizer with
     * {@code epochs} epochs, its schedule and clipping, or L-BFGS / OWL-QN (the L1 term on the
     * parameters whose name ends in {@code weight}) with at most {@code epochs} iterations,
     * full batch; with {@code --l2}, its penalty on the same parameters. The options must have
     * passed {@link #validate}.
     */
    TrainerBuilder builder(ModelFactory model, LossKind loss, int epochs) {
        TrainerBuilder b;
        switch (name()) {
            case "lbfgs":
                b = DataParallelTrainer.builder(model, loss).lbfgs(epochs, LBFGS_MEMORY, LBFGS_TOL);
                break;
            case "owlqn":
                b = DataParallelTrainer.builder(model, loss).owlqn(epochs, LBFGS_MEMORY, LBFGS_TOL, l1, OptimizerOptions::weight);
                break;
            default:
                b = DataParallelTrainer.builder(model, loss, firstOrder()).epochs(epochs)
                        .schedule(LearningRateSchedule.parse(schedule)).clipGlobalNorm(clip);
        }
        return l2 > 0 ? b.l2(l2, OptimizerOptions::weight) : b;
    }

    /** The parameters the penalties cover: the weights, not the biases (as MLlib leaves the intercept out). */
    private static boolean weight(String paramName) {
        return paramName.endsWith("weight");
    }

    private OptimizerFactory firstOrder() {
        return OptimizerFactory.named(optimizer, lr, momentum, weightDecay);
    }
}
