package io.sparkgrad.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.nn.Cell;
import org.junit.jupiter.api.Test;

/** {@link ModelReplica#create}: the task-side model holds the broadcast values, in the asked mode. */
class ModelReplicaTest {
    @Test
    void theReplicaHoldsTheGivenValuesAndMode() {
        ModelSpec logreg = L2PenaltyTest.LOGREG;
        float[] values = {1f, -2f, 0.5f, 4f};
        Cell train = ModelReplica.create(logreg, values, true);
        assertArrayEquals(values, train.trainableParamTuple().flatten());
        assertTrue(train.isTraining());
        assertFalse(ModelReplica.create(logreg, values, false).isTraining());
    }

    @Test
    void aFactoryThatBuildsAnotherModelIsNamed() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ModelReplica.create(L2PenaltyTest.LOGREG, new float[5], true));
        assertTrue(e.getMessage().contains("has 4 parameter values but the driver broadcast 5"), e.getMessage());
    }
}
