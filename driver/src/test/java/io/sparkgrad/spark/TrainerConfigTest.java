package io.sparkgrad.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.nn.Adam;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link TrainerConfig}: what the builder puts in it, its step arithmetic, and its checks. */
class TrainerConfigTest {
    static TrainerBuilder builder() {
        return DataParallelTrainer.builder(DistributedGradientTest.MLP, LossKind.SOFTMAX_CROSS_ENTROPY,
                p -> Adam.builder(p, 1e-3).build());
    }

    @Test
    void theBuilderFillsTheConfigAndItsDefaults() {
        ProgressListener l = (s, eta) -> { };
        TrainerConfig c = builder().epochs(3).batchSize(40).microBatch(16).seed(7).listener(l)
                .checkpoints("file:///tmp/x", 5).resume(true).l2(0.2, n -> n.endsWith("weight")).config();
        assertEquals(3, c.epochs());
        assertEquals(40, c.batchSize());
        assertEquals(16, c.microBatch());
        assertEquals(7, c.seed());
        assertEquals(List.of(l), c.listeners());
        assertEquals("file:///tmp/x", c.checkpointDir());
        assertEquals(5, c.checkpointEvery());
        assertTrue(c.resume());
        assertEquals(0.2, c.l2());
        assertTrue(c.l2Params().test("0.weight") && !c.l2Params().test("0.bias"));
        TrainerConfig d = builder().config();
        assertEquals(Sens.inverseTotalWeight(), d.sens());
        assertEquals(512, d.microBatch());
        assertEquals(2, d.treeDepth());
        assertEquals(42, d.seed());
        assertEquals(3, d.maxSkippedSteps());
        assertThrows(UnsupportedOperationException.class, () -> d.listeners().add(l));
        assertEquals(9, builder().seed(9).build().config().seed(), "the trainer keeps the config it was built with");
    }

    @Test
    void stepsPerEpochAndTotalSteps() {
        assertEquals(5, builder().batchSize(40).config().stepsPerEpoch(200));
        assertEquals(6, builder().batchSize(40).config().stepsPerEpoch(201));
        assertEquals(4, builder().miniBatchFraction(0.3).config().stepsPerEpoch(1000));
        assertEquals(1, builder().config().stepsPerEpoch(1000));
        assertEquals(15, builder().epochs(3).config().totalSteps(5));
        assertEquals(7, builder().epochs(3).steps(7).config().totalSteps(5));
    }

    @Test
    void invalidValuesAreRejectedByTheBuilderAndByTheConfig() {
        assertThrows(IllegalArgumentException.class, () -> builder().resume(true).config());
        assertThrows(IllegalArgumentException.class, () -> builder().epochs(0));
        assertThrows(IllegalArgumentException.class, () -> builder().miniBatchFraction(1.5));
        assertThrows(IllegalArgumentException.class, () -> builder().keepCheckpoints(-1));
        assertThrows(IllegalArgumentException.class, () -> builder().validateEvery(-1));
        assertThrows(IllegalArgumentException.class, () -> builder().earlyStopping(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> builder().earlyStopping(2, -1e-3));
        assertThrows(IllegalArgumentException.class, () -> builder().earlyStopping(2, Double.NaN));
        IllegalArgumentException noValidation = assertThrows(IllegalArgumentException.class,
                () -> builder().earlyStoppingRounds(3).config());
        assertEquals("early stopping (3 rounds) needs a validation set: set validation(...)", noValidation.getMessage());
        TrainerConfig c = builder().config();
        assertThrows(IllegalArgumentException.class, () -> new TrainerConfig(c.model(), c.loss(), c.optimizer(), 0,
                c.steps(), c.batchSize(), c.miniBatchFraction(), c.microBatch(), c.treeDepth(), c.schedule(),
                c.clipNorm(), c.sens(), c.seed(), c.shuffle(), c.validation(), c.checkpointDir(), c.checkpointEvery(),
                c.resume(), c.keepCheckpoints(), c.listeners(), c.hook(), c.modelText(), c.maxSkippedSteps(), c.l2(), c.l2Params(), c.lbfgs(),
                c.validateEvery(), c.earlyStoppingRounds(), c.earlyStoppingTol()));
        assertThrows(IllegalArgumentException.class, () -> new TrainerConfig(c.model(), c.loss(), c.optimizer(),
                c.epochs(), c.steps(), c.batchSize(), c.miniBatchFraction(), c.microBatch(), c.treeDepth(), c.schedule(),
                c.clipNorm(), c.sens(), c.seed(), c.shuffle(), c.validation(), c.checkpointDir(), c.checkpointEvery(),
                c.resume(), c.keepCheckpoints(), c.listeners(), c.hook(), c.modelText(), c.maxSkippedSteps(), Double.NaN, c.l2Params(), c.lbfgs(),
                c.validateEvery(), c.earlyStoppingRounds(), c.earlyStoppingTol()));
        assertThrows(IllegalArgumentException.class, () -> new TrainerConfig(c.model(), c.loss(), c.optimizer(),
                c.epochs(), c.steps(), c.batchSize(), c.miniBatchFraction(), c.microBatch(), c.treeDepth(), c.schedule(),
                c.clipNorm(), c.sens(), c.seed(), c.shuffle(), c.validation(), c.checkpointDir(), c.checkpointEvery(),
                c.resume(), -1, c.listeners(), c.hook(), c.modelText(), c.maxSkippedSteps(), c.l2(), c.l2Params(), c.lbfgs(),
                c.validateEvery(), c.earlyStoppingRounds(), c.earlyStoppingTol()));
    }
}
