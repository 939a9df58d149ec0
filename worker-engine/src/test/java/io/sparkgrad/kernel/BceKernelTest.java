package io.sparkgrad.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The FLOAT32 binary cross-entropy on logits, whose {@code log1p} is Goldberg's JNI-free form
 * ({@link Fused#log1pUnit}), against the same formula with the JDK's fdlibm {@code Math.log1p},
 * rounded once to float.
 */
class BceKernelTest {

    @Test
    void log1pUnitIsWithinAFewDoubleUlpsOfFdlibm() {
        SplittableRandom r = new SplittableRandom(5);
        double worst = 0;
        for (int i = 0; i < 200_000; i++) {
            double e = Math.exp(-r.nextDouble() * 745); // [0, 1], down to the subnormals
            double want = Math.log1p(e);
            worst = Math.max(worst, Math.abs(Fused.log1pUnit(e) - want) / Math.ulp(want));
        }
        assertTrue(worst <= 8, "worst error " + worst + " ulps");
        assertEquals(0.0, Fused.log1pUnit(0.0));
        assertEquals(Math.log(2), Fused.log1pUnit(1.0), Math.ulp(Math.log(2)));
        assertTrue(Double.isNaN(Fused.log1pUnit(Double.NaN)));
    }

    @Test
    void float32BceMatchesTheFdlibmFormulaRoundedOnce() {
        SplittableRandom r = new SplittableRandom(6);
        int n = 100_000;
        float[] x = new float[n];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) ((r.nextDouble() * 2 - 1) * (i % 3 == 0 ? 80 : 8));
            y[i] = r.nextInt(2);
        }
        x[0] = 0f;
        x[1] = -0f;
        x[2] = Float.MAX_VALUE;
        x[3] = -Float.MAX_VALUE;
        x[4] = Float.NaN;
        float[] got = Fused.bceWithLogits(Tensor.wrap(x, n), Tensor.wrap(y, n)).toFloatArray();
        int differ = 0;
        for (int i = 0; i < n; i++) {
            double v = x[i];
            float want = (float) ((v >= 0 ? v : 0) - v * y[i] + Math.log1p(Math.exp(v >= 0 ? -v : v)));
            if (Float.floatToIntBits(want) != Float.floatToIntBits(got[i])) {
                differ++;
                assertEquals(want, got[i], Math.ulp(want), "x=" + x[i] + " y=" + y[i]);
            }
        }
        assertTrue(differ <= 2, differ + " of " + n + " values differ by one float ulp");
    }
}
