package io.sparkgrad.spark;

import io.sparkgrad.ParameterTuple;
import io.sparkgrad.nn.Optimizer;
import io.sparkgrad.nn.OptimizerState;
import io.sparkgrad.spark.checkpoint.Checkpoint;
import io.sparkgrad.spark.checkpoint.CheckpointStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The checkpoint side of a {@link DataParallelTrainer} run: opens the configured
 * {@link CheckpointStore} (if any), restores the latest checkpoint when resuming (refusing one
 * made with another seed), and writes one after every {@code checkpointEvery}-th applied step and
 * after the last step. I/O errors surface as {@link UncheckedIOException}s that name what failed.
 */
final class RunCheckpoints {
    private final TrainerConfig c;
    /** Null when the run has no checkpoint directory. */
    private final CheckpointStore store;

    RunCheckpoints(TrainerConfig c, JavaSparkContext sc) {
        this.c = c;
        this.store = c.checkpointDir() == null ? null : open(c.checkpointDir(), sc);
    }

    /**
     * When the configuration asks to resume: restores the latest checkpoint, if there is one, into
     * {@code params} and {@code opt} and returns its step. Otherwise returns 0.
     */
    long resume(ParameterTuple params, Optimizer opt) {
        Checkpoint cp = latestToResume();
        if (cp == null) {
            return 0;
        }
        cp.restoreInto(params, opt);
        return cp.step();
    }

    /**
     * For a run whose optimizer state is not an {@link Optimizer}'s (L-BFGS): when the configuration
     * asks to resume and there is a checkpoint, restores its parameters into {@code params} and
     * returns it (its {@link Checkpoint#optimizerState()} is the minimiser's). Otherwise null.
     */
    Checkpoint resumeParameters(ParameterTuple params) {
        Checkpoint cp = latestToResume();
        if (cp != null) {
            cp.restoreInto(params, null);
        }
        return cp;
    }

    private Checkpoint latestToResume() {
        if (!c.resume()) {
            return null;
        }
        Optional<Checkpoint> last;
        try {
            last = store.latest();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoints: " + e.getMessage(), e);
        }
        if (last.isEmpty()) {
            return null;
        }
        Checkpoint cp = last.get();
        if (cp.seed() != c.seed()) {
            throw new IllegalStateException("checkpoint " + cp.step() + " in " + c.checkpointDir() + " was made with seed "
                    + cp.seed() + ", this run has seed " + c.seed());
        }
        return cp;
    }

    /** Writes a checkpoint after {@code rec}'s step if it was applied and is due. */
    void afterStep(StepRecord rec, ParameterTuple params, Optimizer opt) {
        afterStep(rec, params, opt::exportState, false);
    }

    /**
     * Writes a checkpoint with the optimizer state {@code state} after {@code rec}'s step if it was
     * applied and is due, or is the run's last ({@code last}: a run that stops before its total).
     */
    void afterStep(StepRecord rec, ParameterTuple params, Supplier<OptimizerState> state, boolean last) {
        long step = rec.step();
        boolean due = (c.checkpointEvery() > 0 && step % c.checkpointEvery() == 0) || step == rec.totalSteps() || last;
        if (store == null || rec.skipped() || !due) {
            return;
        }
        Checkpoint cp = Checkpoint.of(step, rec.epoch(), c.seed(), c.modelText(), params, state.get());
        try {
            store.write(cp);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + cp.step() + ": " + e.getMessage(), e);
        }
    }

    private static CheckpointStore open(String dir, JavaSparkContext sc) {
        try {
            return new CheckpointStore(dir, sc.hadoopConfiguration());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the checkpoint directory " + dir + ": " + e.getMessage(), e);
        }
    }
}
