package io.sparkgrad.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The ETA on given step durations (no clock): a slow start does not inflate later estimates. */
class EtaEstimatorTest {

    @Test
    void aSlowFirstStepDoesNotMakeTheEtaTwiceTooHigh() {
        // 200 steps: the first takes 20 s (Spark's first jobs, the JIT), each later one 1 s
        long total = 200;
        EtaEstimator eta = EtaEstimator.standard();
        double elapsed = 0;
        for (long step = 1; step <= 20; step++) {
            double d = step == 1 ? 20 : 1;
            eta.observe(d);
            elapsed += d;
        }
        double truth = total - 20; // 180 steps of 1 s are left
        double naive = elapsed / 20 * (total - 20); // the old estimate: the mean over every step so far
        assertTrue(naive > 1.9 * truth, "the old estimate was about 2x high: " + naive);
        assertEquals(truth, eta.eta(total - 20), 1e-9);
    }

    @Test
    void laterStepsAreSmoothedNotJumpedTo() {
        EtaEstimator eta = new EtaEstimator(1, 0.1);
        eta.observe(30); // warm-up, left out
        eta.observe(2);
        assertEquals(2, eta.secondsPerStep(), 0);
        eta.observe(12); // one slow step (an epoch's validation) moves the estimate by a tenth of the difference
        assertEquals(3, eta.secondsPerStep(), 1e-12);
        for (int i = 0; i < 200; i++) {
            eta.observe(2);
        }
        assertEquals(2, eta.secondsPerStep(), 1e-6);
        assertEquals(20, eta.eta(10), 1e-5);
        assertEquals(0, eta.eta(0), 0);
    }

    @Test
    void beforeAnyStepAfterTheWarmUpTheWarmUpMeanIsUsed() {
        EtaEstimator eta = EtaEstimator.standard();
        assertTrue(Double.isNaN(eta.eta(5)));
        eta.observe(4);
        assertEquals(40, eta.eta(10), 1e-12);
        eta.observe(2);
        assertEquals(30, eta.eta(10), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> new EtaEstimator(-1, 0.1));
        assertThrows(IllegalArgumentException.class, () -> new EtaEstimator(1, 0));
    }
}
