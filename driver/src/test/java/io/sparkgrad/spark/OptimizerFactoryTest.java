package io.sparkgrad.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sparkgrad.Parameter;
import io.sparkgrad.ParameterTuple;
import io.sparkgrad.Tensor;
import io.sparkgrad.nn.Optimizer;
import org.junit.jupiter.api.Test;

/**
 * {@link OptimizerFactory#named}, the one table of optimizer names: any case, the given momentum
 * and weight decay applied, the builders' defaults kept for null (AdamW's decay 0.01), and an
 * unknown name refused with the known ones.
 */
class OptimizerFactoryTest {

    /** The parameter's value after {@code steps} steps of gradient {@code g} from 1. */
    private static double after(OptimizerFactory f, double g, int steps) {
        Parameter p = new Parameter(Tensor.wrap(new double[] {1}, 1), "w");
        Optimizer o = f.create(ParameterTuple.of(p));
        for (int i = 0; i < steps; i++) {
            o.step(java.util.List.of(Tensor.wrap(new double[] {g}, 1)));
        }
        return p.getFlat(0);
    }

    @Test
    void namesInAnyCaseWithTheirSettingsOrTheBuildersDefaults() {
        // AdamW with a zero gradient moves only by its decoupled decay: p (1 - lr wd)
        assertEquals(1 - 0.1 * 0.01, after(OptimizerFactory.named("AdamW", 0.1, null, null), 0, 1), 1e-15);
        assertEquals(1 - 0.1 * 0.5, after(OptimizerFactory.named("adamw", 0.1, null, 0.5), 0, 1), 1e-15);
        assertEquals(1, after(OptimizerFactory.named("adam", 0.1, 0.9, null), 0, 1), 0);
        // SGD, two steps of g = 1: plain 1 - 2 lr; with momentum 0.9 the second step is 1.9 lr
        assertEquals(1 - 0.2, after(OptimizerFactory.named("SGD", 0.1, null, null), 1, 2), 1e-15);
        assertEquals(1 - 0.1 - 0.19, after(OptimizerFactory.named("sgd", 0.1, 0.9, null), 1, 2), 1e-15);
        assertEquals("adamw", OptimizerFactory.named("ADAMW", 0.1, null, null)
                .create(ParameterTuple.of(new Parameter(Tensor.wrap(new double[] {1}, 1), "w"))).kind());
    }

    @Test
    void anUnknownNameIsRefusedWithTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OptimizerFactory.named("rmsprop", 0.1, null, null));
        assertEquals("unknown optimizer 'rmsprop': expected adam, adamw or sgd", e.getMessage());
    }
}
