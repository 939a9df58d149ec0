package io.sparkgrad.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.nn.Adam;
import io.sparkgrad.spark.checkpoint.Checkpoint;
import io.sparkgrad.spark.checkpoint.CheckpointStore;
import io.sparkgrad.spark.checkpoint.EarlyStoppingState;
import io.sparkgrad.spark.testing.LocalSpark;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Early stopping on a constructed case: the validation set is drawn like the training set but 30%
 * of its labels are shifted to another class, so its loss falls while the model learns the shared
 * signal and rises once the model grows confident on the clean training labels. With Adam at
 * 0.01, 120 rows and 40 per step (3 steps an epoch), the validation loss after epochs 1, 2, 3, 4,
 * ... is 1.0735, 1.0665, 1.0650, 1.0685, 1.0751, 1.0833, ...: the best epoch is the third (index
 * 2, step 9), and 3 rounds stop the run after the sixth (index 5, step 18).
 */
@LocalSpark(master = "local[2]")
class EarlyStoppingTest {
    private static final List<Sample> TRAIN = DistributedGradientTest.rows(120, 21, false, 3);
    private static final List<Sample> VALIDATION = shifted(DistributedGradientTest.rows(90, 22, false, 3));

    /** Three rows in ten get the next class's label. */
    private static List<Sample> shifted(List<Sample> rows) {
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            Sample s = rows.get(i);
            out.add(i % 10 < 3 ? new Sample(s.features(), (s.label() + 1) % 3) : s);
        }
        return out;
    }

    private static TrainerBuilder trainer(SparkSession spark, int epochs) {
        return DataParallelTrainer.builder(TrainerTest.MLP, LossKind.SOFTMAX_CROSS_ENTROPY,
                        p -> Adam.builder(p, 0.01).build())
                .batchSize(40).epochs(epochs).microBatch(16).seed(7)
                .validation(TrainerTest.data(spark, VALIDATION, 2));
    }

    private static DataParallelTrainer.Result fit(SparkSession spark, TrainerBuilder b) {
        return b.build().fit(spark, TrainerTest.data(spark, TRAIN, 2));
    }

    private static final java.util.Map<String, DataParallelTrainer.Result> RUNS = new java.util.HashMap<>();

    /** The early-stopped run of 30 epochs with 3 rounds, fitted once per JVM (several tests compare to it). */
    private static synchronized DataParallelTrainer.Result stopped(SparkSession spark) {
        return RUNS.computeIfAbsent("stopped", k -> fit(spark, trainer(spark, 30).earlyStoppingRounds(3)
                .listener(STOPPED_EVALUATIONS)));
    }

    /** The evaluations of {@link #stopped}. */
    private static final Evaluations STOPPED_EVALUATIONS = new Evaluations();

    /** The plain run of 3 epochs, once per JVM. */
    private static synchronized DataParallelTrainer.Result threeEpochs(SparkSession spark) {
        return RUNS.computeIfAbsent("three", k -> fit(spark, trainer(spark, 3)));
    }

    /** Records the step and loss of every validation evaluation. */
    private static final class Evaluations implements ProgressListener {
        final List<Long> steps = new ArrayList<>();
        final List<Double> losses = new ArrayList<>();
        private long lastStep;

        @Override
        public void onStep(StepRecord step, double eta) {
            lastStep = step.step();
        }

        @Override
        public void onValidation(int epoch, Evaluator.Metrics m) {
            steps.add(lastStep);
            losses.add(m.meanLoss());
        }
    }

    @Test
    void stopsAfterRoundsWithoutImprovementAndReturnsTheBestEpochsParameters(SparkSession spark) {
        DataParallelTrainer.Result r = stopped(spark);
        Evaluations ev = STOPPED_EVALUATIONS;
        EarlyStopping.Outcome o = r.earlyStopping();
        assertEquals(List.of(3L, 6L, 9L, 12L, 15L, 18L), ev.steps, "one evaluation per epoch, until the stop");
        assertEquals(9, o.bestStep());
        assertEquals(2, o.bestEpoch());
        assertTrue(o.stoppedEarly());
        assertEquals(18, o.stoppedAtStep());
        assertEquals(5, o.stoppedAtEpoch());
        assertEquals(3, o.roundsWithoutImprovement());
        assertEquals(18, r.history().size(), "no step after the stop");
        // the rule, checked on the losses themselves: a U shape, best at index 2
        List<Double> l = ev.losses;
        assertTrue(l.get(0) > l.get(1) && l.get(1) > l.get(2), l.toString());
        for (int i = 3; i < 6; i++) {
            assertTrue(l.get(i) >= l.get(2), l.toString());
        }
        assertEquals(l.get(2), o.bestLoss(), 0.0);
        assertEquals(1.0650, o.bestLoss(), 5e-4);
        assertEquals(l.get(5), r.validation().meanLoss(), 0.0, "the last evaluation is reported");
        assertEquals("early stopping: the validation loss did not improve in 3 evaluations after step 9 (best "
                + o.bestLoss() + "); stopped after step 18", r.stopReason());

        // the best parameters are exactly those of a run of 3 epochs, and not those after the last step
        DataParallelTrainer.Result three = threeEpochs(spark);
        assertArrayEquals(three.flatParameters(), r.flatParameters());
        assertArrayEquals(three.flatParameters(), r.model().trainableParamTuple().flatten(), "the model holds them");
        DataParallelTrainer.Result six = fit(spark, trainer(spark, 6));
        assertFalse(Arrays.equals(six.flatParameters(), r.flatParameters()));
        assertEquals(18, r.optimizer().stepCount(), "the optimizer stays at the last step run");
        assertNull(three.earlyStopping(), "off by default");
        assertNull(three.stopReason());
    }

    @Test
    void tolRaisesTheBarForAnImprovement(SparkSession spark) {
        // the improvements after the first epoch are 0.007 and 0.0015: under a tol of 0.01 none counts
        DataParallelTrainer.Result r = fit(spark, trainer(spark, 30).earlyStopping(3, 0.01));
        EarlyStopping.Outcome o = r.earlyStopping();
        assertEquals(3, o.bestStep());
        assertEquals(0, o.bestEpoch());
        assertEquals(3, o.stoppedAtEpoch());
        assertArrayEquals(fit(spark, trainer(spark, 1)).flatParameters(), r.flatParameters());
    }

    @Test
    void aRunThatEndsBeforeTheRoundsRunOutKeepsItsBestAndDidNotStopEarly(SparkSession spark) {
        DataParallelTrainer.Result r = fit(spark, trainer(spark, 5).earlyStoppingRounds(3));
        EarlyStopping.Outcome o = r.earlyStopping();
        assertFalse(o.stoppedEarly());
        assertEquals(-1, o.stoppedAtEpoch());
        assertEquals(0, o.stoppedAtStep());
        assertEquals(9, o.bestStep());
        assertEquals(2, o.roundsWithoutImprovement());
        assertNull(r.stopReason());
        assertEquals(15, r.history().size());
        assertArrayEquals(threeEpochs(spark).flatParameters(), r.flatParameters());
    }

    @Test
    void validateEveryEvaluatesEveryNStepsAndTheBestStepIsOneOfThem(SparkSession spark) {
        Evaluations ev = new Evaluations();
        DataParallelTrainer.Result r = fit(spark, trainer(spark, 30).validateEvery(2).earlyStoppingRounds(4)
                .listener(ev));
        EarlyStopping.Outcome o = r.earlyStopping();
        for (int i = 0; i < ev.steps.size(); i++) {
            assertEquals(2L * (i + 1), ev.steps.get(i));
        }
        int best = ev.losses.indexOf(ev.losses.stream().min(Double::compare).orElseThrow());
        assertEquals(ev.steps.get(best), o.bestStep());
        assertEquals(ev.steps.size(), best + 1 + 4, "stopped four evaluations after the best");
        assertEquals(ev.steps.get(ev.steps.size() - 1), o.stoppedAtStep());
        assertArrayEquals(fit(spark, trainer(spark, 30).steps(o.bestStep())).flatParameters(), r.flatParameters());
    }

    @Test
    void aKilledRunResumesToTheSameDecisionAndTheSameBestParameters(SparkSession spark, @TempDir Path tmp)
            throws Exception {
        DataParallelTrainer.Result whole = stopped(spark);
        String dir = tmp.resolve("ckpt").toUri().toString();
        // checkpoints every 2 steps: the one of step 2 comes before any evaluation (version 1), the
        // later ones carry the decision; the run dies in step 3, then again in step 14 (after the best
        // step 9, with one round without improvement counted at step 12, before the stop at 18)
        for (long dies : new long[] {3, 14}) {
            TaskHook crash = (partition, step, attempt) -> {
                if (step == dies) {
                    throw new IllegalStateException("simulated crash in step " + dies);
                }
            };
            Exception e = assertThrows(Exception.class, () -> fit(spark, trainer(spark, 30).earlyStoppingRounds(3)
                    .checkpoints(dir, 2).resume(true).taskHook(crash)));
            assertTrue(String.valueOf(e.getMessage()).contains("simulated crash in step " + dies), e.toString());
        }
        CheckpointStore store = new CheckpointStore(dir);
        Checkpoint at12 = store.latest().orElseThrow();
        assertEquals(12, at12.step());
        assertEquals(2, at12.formatVersion());
        EarlyStoppingState s = at12.earlyStopping();
        assertEquals(9, s.bestStep());
        assertEquals(1, s.roundsWithoutImprovement());
        assertArrayEquals(whole.flatParameters(), s.bestValues());

        DataParallelTrainer.Result resumed = fit(spark, trainer(spark, 30).earlyStoppingRounds(3)
                .checkpoints(dir, 2).resume(true));
        assertEquals(13, resumed.history().get(0).step());
        assertEquals(whole.earlyStopping(), resumed.earlyStopping());
        assertArrayEquals(whole.flatParameters(), resumed.flatParameters());
        Checkpoint last = store.latest().orElseThrow();
        assertEquals(18, last.step(), "the stop step is checkpointed");
        assertEquals(3, last.earlyStopping().roundsWithoutImprovement());

        // resuming a run that has stopped runs no step and returns the same outcome
        DataParallelTrainer.Result again = fit(spark, trainer(spark, 30).earlyStoppingRounds(3)
                .checkpoints(dir, 2).resume(true));
        assertEquals(0, again.history().size());
        assertEquals(whole.earlyStopping(), again.earlyStopping());
        assertEquals(whole.stopReason(), again.stopReason());
        assertArrayEquals(whole.flatParameters(), again.flatParameters());
    }
}
