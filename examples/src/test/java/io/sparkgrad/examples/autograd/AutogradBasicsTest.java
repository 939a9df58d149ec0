package io.sparkgrad.examples.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.Tensor;
import io.sparkgrad.ops.Ops;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link AutogradBasics} against seed 001_4ce0c32a541f4fc0, with x = arange(4.0). */
class AutogradBasicsTest {
    /** The notebook's displayed outputs (the lines starting with "Tensor("), copied from the seed. */
    static final List<String> NOTEBOOK = List.of(
            "Tensor(shape=[4], dtype=Float32, value= [ 0.00000000e+00,  1.00000000e+00,  2.00000000e+00,  3.00000000e+00])",
            "Tensor(shape=[], dtype=Float32, value= 28)",
            "Tensor(shape=[4], dtype=Float32, value= [ 0.00000000e+00,  4.00000000e+00,  8.00000000e+00,  1.20000000e+01])",
            "Tensor(shape=[4], dtype=Bool, value= [ True,  True,  True,  True])",
            "Tensor(shape=[4], dtype=Float32, value= [ 1.00000000e+00,  1.00000000e+00,  1.00000000e+00,  1.00000000e+00])",
            "Tensor(shape=[4], dtype=Float32, value= [ 0.00000000e+00,  2.00000000e+00,  4.00000000e+00,  6.00000000e+00])",
            "Tensor(shape=[4], dtype=Bool, value= [ True,  True,  True,  True])",
            "Tensor(shape=[4], dtype=Bool, value= [ True,  True,  True,  True])",
            "Tensor(shape=[], dtype=Bool, value= True)");

    static final double[] X = {0, 1, 2, 3};

    @Test
    void mainPrintsTheNotebookOutput() throws Exception {
        assertEquals(NOTEBOOK, Stdout.linesOf(AutogradBasics::main));
        assertEquals(NOTEBOOK, AutogradBasics.lines());
    }

    @Test
    void forwardIsTwiceTheSquaredNorm() {
        assertEquals(28.0, AutogradBasics.twiceDot(AutogradBasics.x()).item(), 0.0);
    }

    private static void assertGrad(double[] expected, Tensor grad) {
        assertArrayEquals(new int[] {4}, grad.shape());
        assertArrayEquals(expected, grad.toDoubleArray(), 1e-6);
    }

    @Test
    void gradOfTwiceDotIsFourX() {
        assertGrad(new double[] {0, 4, 8, 12},
                AutogradBasics.gradOfFirstInput(AutogradBasics::twiceDot, AutogradBasics.x()));
    }

    @Test
    void gradOfSumIsOnes() {
        assertGrad(new double[] {1, 1, 1, 1},
                AutogradBasics.gradOfFirstInput(AutogradBasics::sumOf, AutogradBasics.x()));
    }

    @Test
    void gradOfSumOfSquaresIsTwoX() {
        double[] e = new double[4];
        for (int i = 0; i < 4; i++) {
            e[i] = 2 * X[i];
        }
        assertGrad(e, AutogradBasics.gradOfFirstInput(AutogradBasics::sumOfSquares, AutogradBasics.x()));
    }

    @Test
    void stopGradientLeavesUAsTheGradient() {
        // z = u * x with u constant: dz/dx = u = x*x; u itself contributes nothing
        double[] e = new double[4];
        for (int i = 0; i < 4; i++) {
            e[i] = X[i] * X[i];
        }
        assertGrad(e, AutogradBasics.gradOfFirstInput(AutogradBasics::detached, AutogradBasics.x()));
    }

    /** f's derivative replayed in double: the product of the factors f multiplied a by. */
    static double factorOf(double a) {
        double factor = 2;
        while (Math.abs(a * factor) < 1000) {
            factor *= 2;
        }
        if (a * factor <= 0) {
            factor *= 100;
        }
        return factor;
    }

    @Test
    void gradThroughControlFlowIsTheProductOfTheFactors() {
        Tensor a = AutogradBasics.a();
        assertArrayEquals(new int[0], a.shape());
        Tensor grad = AutogradBasics.gradOfFirstInput(AutogradBasics::f, a);
        double factor = factorOf(a.item());
        assertEquals(factor, grad.item(), 0.0); // powers of two times 100 at most: exact in float32
        double d = AutogradBasics.f(a).item();
        assertEquals(d / a.item(), grad.item(), 1e-6 * factor);
    }

    @Test
    void gradThroughControlFlowForOtherSamples() {
        // The notebook's sample was unseeded. The gradient is exactly the product of the factors
        // for every sample, and equals d / a exactly when a > 0 (d = a * 2^k, exact). When a < 0,
        // d = 100 * b is rounded, so d / a can miss the factor by an ulp and the notebook's check
        // can print False (seeds 2, 15, 17 do); RANDN_SEED gives a sample where it prints True.
        for (long seed = 0; seed < 50; seed++) {
            Tensor a = Tensor.randn(seed);
            double factor = factorOf(a.item());
            Tensor grad = AutogradBasics.gradOfFirstInput(AutogradBasics::f, a);
            assertEquals(factor, grad.item(), 0.0, "seed " + seed);
            double dOverA = AutogradBasics.f(a).item() / a.item();
            assertEquals(factor, dOverA, 1e-6 * factor, "seed " + seed);
            if (a.item() > 0) {
                assertTrue(Ops.eq(grad, Ops.div(AutogradBasics.f(a), a)).all(), "seed " + seed);
            }
        }
    }
}
