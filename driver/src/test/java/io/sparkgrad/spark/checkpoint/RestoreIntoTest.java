package io.sparkgrad.spark.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.Parameter;
import io.sparkgrad.ParameterTuple;
import io.sparkgrad.Tensor;
import io.sparkgrad.nn.SGD;
import io.sparkgrad.spark.checkpoint.CheckpointTestSupport.Model;
import org.junit.jupiter.api.Test;

class RestoreIntoTest {
    private static void assertUnchanged(Model target, float[] before, long optSteps) {
        assertArrayEquals(before, target.params.flatten(), "parameters must be untouched");
        assertEquals(optSteps, target.opt.stepCount(), "optimizer must be untouched");
    }

    @Test
    void shapeMismatchNamesTheParameterAndChangesNothing() {
        Checkpoint c = new Model(5, 3, 7).trained(2).checkpoint(2, 0);
        Model target = new Model(4, 3, 11).trained(1);
        float[] before = target.params.flatten();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> c.restoreInto(target.params, target.opt));
        assertTrue(e.getMessage().contains("'weight'"), e.getMessage());
        assertTrue(e.getMessage().contains("expected 'weight' of shape [3, 5]"), e.getMessage());
        assertTrue(e.getMessage().contains("found 'weight' of shape [3, 4]"), e.getMessage());
        assertUnchanged(target, before, 1);
    }

    @Test
    void laterMismatchIsFoundBeforeEarlierParametersAreLoaded() {
        Checkpoint c = new Model(5, 3, 7).trained(2).checkpoint(2, 0);
        Parameter w = new Parameter(Tensor.zeros(3, 5), "weight");
        Parameter b = new Parameter(Tensor.zeros(4), "bias");
        ParameterTuple params = ParameterTuple.of(w, b);
        SGD sgd = new SGD(params, 0.1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.restoreInto(params, null));
        assertTrue(e.getMessage().contains("expected 'bias' of shape [3], found 'bias' of shape [4]"),
                e.getMessage());
        assertArrayEquals(new float[15], w.toFloatArray(), "weight matched but must not have been loaded");
        assertEquals(0, sgd.stepCount());
    }

    @Test
    void nameAndCountMismatchesAreReported() {
        Checkpoint c = new Model(5, 3, 7).trained(2).checkpoint(2, 0);
        Parameter w = new Parameter(Tensor.zeros(3, 5), "kernel");
        Parameter b = new Parameter(Tensor.zeros(3), "bias");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> c.restoreInto(ParameterTuple.of(w, b), null));
        assertTrue(e.getMessage().contains("expected 'weight'") && e.getMessage().contains("found 'kernel'"),
                e.getMessage());

        Parameter w2 = new Parameter(Tensor.zeros(3, 5), "weight");
        e = assertThrows(IllegalArgumentException.class, () -> c.restoreInto(ParameterTuple.of(w2), null));
        assertTrue(e.getMessage().contains("first missing parameter: 'bias' of shape [3]"), e.getMessage());
        assertArrayEquals(new float[15], w2.toFloatArray());
    }

    @Test
    void optimizerKindMismatchChangesNothing() {
        Checkpoint c = new Model(5, 3, 7).trained(2).checkpoint(2, 0);
        Model target = new Model(5, 3, 11);
        SGD sgd = new SGD(target.params, 0.1);
        float[] before = target.params.flatten();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> c.restoreInto(target.params, sgd));
        assertTrue(e.getMessage().contains("adam") && e.getMessage().contains("sgd"), e.getMessage());
        assertArrayEquals(before, target.params.flatten());
        assertEquals(0, sgd.stepCount());
    }

    @Test
    void parametersOnlyRestoreLeavesTheOptimizerAlone() {
        Model source = new Model(5, 3, 7).trained(2);
        Checkpoint c = source.checkpoint(2, 0);
        Model target = new Model(5, 3, 11);
        c.restoreInto(target.params, null);
        assertArrayEquals(source.params.flatten(), target.params.flatten());
        assertEquals(0, target.opt.stepCount());
    }
}
