package io.sparkgrad.spark;

import io.sparkgrad.ParameterTuple;
import io.sparkgrad.nn.Optimizer;
import io.sparkgrad.nn.OptimizerState;
import io.sparkgrad.spark.checkpoint.Checkpoint;
import io.sparkgrad.spark.checkpoint.CheckpointDirectoryException;
import io.sparkgrad.spark.checkpoint.CheckpointStore;
import io.sparkgrad.spark.checkpoint.EarlyStoppingState;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The checkpoint side of a {@link DataParallelTrainer} run: opens the configured
 * {@link CheckpointStore} (if any) with the configured retention, restores the latest valid
 * checkpoint when resuming ({@link CheckpointStore#recover}: corrupt ones are moved aside, temp
 * files of unfinished writes deleted; one made with another seed is refused), and writes one after
 * every {@code checkpointEvery}-th applied step and after the last step (with the early-stopping
 * state, when the run has one), pruning old ones only after
 * the new one is in place. Problems of the directory (a checkpoint of that step already there,
 * another seed, I/O errors) surface as {@link CheckpointDirectoryException}s that name the
 * directory and what failed.
 */
final class RunCheckpoints {
    private final TrainerConfig c;
    /** Null when the run has no checkpoint directory. */
    private final CheckpointStore store;

    RunCheckpoints(TrainerConfig c, JavaSparkContext sc) {
        this.c = c;
        this.store = c.checkpointDir() == null ? null : open(c.checkpointDir(), c.keepCheckpoints(), sc);
    }

    /**
     * When the configuration asks to resume: restores the latest checkpoint, if there is one, into
     * {@code params} and {@code opt} and returns it (its step and early-stopping state tell where the
     * run continues). Otherwise returns null.
     */
    Checkpoint resume(ParameterTuple params, Optimizer opt) {
        Checkpoint cp = latestToResume();
        if (cp != null) {
            cp.restoreInto(params, opt);
        }
        return cp;
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
            refuseAnEarlierRunsCheckpoints();
            return null;
        }
        Optional<Checkpoint> last;
        try {
            last = store.recover();
        } catch (IOException e) {
            throw new CheckpointDirectoryException("cannot read the checkpoints in " + c.checkpointDir() + ": "
                    + e.getMessage(), e);
        }
        if (last.isEmpty()) {
            return null;
        }
        Checkpoint cp = last.get();
        if (cp.seed() != c.seed()) {
            throw new CheckpointDirectoryException("checkpoint " + cp.step() + " in " + c.checkpointDir()
                    + " was made with seed " + cp.seed() + ", this run has seed " + c.seed());
        }
        return cp;
    }

    /**
     * A run that does not resume must not write into the checkpoints of another: its checkpoints
     * would mix with theirs, and a later resume would pick the stale one of highest step.
     */
    private void refuseAnEarlierRunsCheckpoints() {
        if (store == null) {
            return;
        }
        List<Long> steps;
        try {
            steps = store.steps();
        } catch (IOException e) {
            throw new CheckpointDirectoryException("cannot list the checkpoint directory " + c.checkpointDir() + ": "
                    + e.getMessage(), e);
        }
        if (!steps.isEmpty()) {
            throw new CheckpointDirectoryException("the checkpoint directory " + c.checkpointDir()
                    + " already holds checkpoints of an earlier run (" + (steps.size() == 1 ? "step " + steps.get(0)
                    : "steps " + steps.get(0) + " to " + steps.get(steps.size() - 1)) + "); resume from them, or use another checkpoint directory");
        }
    }

    /**
     * Writes a checkpoint with the optimizer state {@code state} and the early-stopping state
     * {@code es} (null for none) after {@code rec}'s step if it was applied and is due, or is the
     * run's last ({@code last}: a run that stops before its total).
     */
    void afterStep(StepRecord rec, ParameterTuple params, Supplier<OptimizerState> state, boolean last,
                   EarlyStoppingState es) {
        long step = rec.step();
        boolean due = (c.checkpointEvery() > 0 && step % c.checkpointEvery() == 0) || step == rec.totalSteps() || last;
        if (store == null || rec.skipped() || !due) {
            return;
        }
        Checkpoint cp = Checkpoint.of(step, rec.epoch(), c.seed(), c.modelText(), params, state.get(), es);
        try {
            store.write(cp);
        } catch (FileAlreadyExistsException e) {
            throw new CheckpointDirectoryException("cannot write checkpoint " + cp.step() + ": " + c.checkpointDir()
                    + " already holds a checkpoint of step " + cp.step() + (c.resume() ? ""
                    : " from an earlier run; resume from it, or use another checkpoint directory"), e);
        } catch (IOException e) {
            throw new CheckpointDirectoryException("cannot write checkpoint " + cp.step() + " to " + c.checkpointDir()
                    + ": " + e.getMessage(), e);
        }
    }

    private static CheckpointStore open(String dir, int keep, JavaSparkContext sc) {
        try {
            return new CheckpointStore(dir, sc.hadoopConfiguration()).keepLast(keep);
        } catch (IOException | IllegalArgumentException e) {
            throw new CheckpointDirectoryException("cannot open the checkpoint directory " + dir + ": " + e.getMessage(),
                    e);
        }
    }
}
