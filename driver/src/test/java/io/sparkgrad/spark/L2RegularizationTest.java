package io.sparkgrad.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.ParameterTuple;
import org.junit.jupiter.api.Test;

/** {@link L2Regularization} on flat buffers, checked against values computed by hand. */
class L2RegularizationTest {
    /** logreg on 3 features: 0.weight (3 values), then 0.bias (1 value). */
    static ParameterTuple params() {
        ParameterTuple p = L2PenaltyTest.LOGREG.create().trainableParamTuple();
        p.load(new float[] {1f, -2f, 0.5f, 4f});
        return p;
    }

    @Test
    void theSelectedParametersGetLambdaTimesPAndThePenaltyIsHalfLambdaTimesTheirSquares() {
        ParameterTuple p = params();
        L2Regularization l2 = L2Regularization.select(p, 0.5, name -> name.endsWith("weight"));
        float[] grad = {0.25f, 0.25f, 0.25f, 0.25f};
        double penalty = l2.addTo(grad, p.flatten());
        assertArrayEquals(new float[] {0.75f, -0.75f, 0.5f, 0.25f}, grad, "the bias is left out");
        assertEquals(0.5 / 2 * (1 + 4 + 0.25), penalty, 1e-12);
        assertEquals(0.5, l2.lambda());
    }

    @Test
    void lambdaZeroIsNoneAndBadSelectionsAreRejected() {
        ParameterTuple p = params();
        assertSame(L2Regularization.NONE, L2Regularization.select(p, 0, name -> true));
        float[] grad = {1f, 2f, 3f, 4f};
        assertEquals(0.0, L2Regularization.NONE.addTo(grad, p.flatten()));
        assertArrayEquals(new float[] {1f, 2f, 3f, 4f}, grad);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> L2Regularization.select(p, 0.1, name -> name.equals("weight")));
        assertTrue(e.getMessage().contains("[0.weight, 0.bias]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> L2Regularization.select(p, -1, name -> true));
        assertThrows(IllegalArgumentException.class, () -> L2Regularization.select(p, Double.NaN, name -> true));
    }
}
