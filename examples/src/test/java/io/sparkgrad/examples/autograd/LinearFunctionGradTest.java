package io.sparkgrad.examples.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparkgrad.Tensor;
import io.sparkgrad.Tuple;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link LinearFunctionGrad} against seed 000_056961e8e5bb14b3: f(x) = w*x + b, w = 5, b = 3. */
class LinearFunctionGradTest {
    /** The notebook's printed output, cell by cell, copied from the seed. */
    static final List<String> NOTEBOOK = List.of(
            "[5.]",
            "(Tensor(shape=[1], dtype=Float32, value= [3.00000000e+000]), Tensor(shape=[1], dtype=Float32, value= [1.00000000e+000]))",
            "对w的求导为： [3.]",
            "对b的求导为： [1.]",
            "(Tensor(shape=[1], dtype=Float32, value= [1.00000000e+000]),)",
            "[50.]",
            "[0.]");

    @Test
    void mainPrintsTheNotebookOutput() throws Exception {
        assertEquals(NOTEBOOK, Stdout.linesOf(LinearFunctionGrad::main));
    }

    @Test
    void linesAreWhatMainPrints() {
        assertEquals(NOTEBOOK, LinearFunctionGrad.lines());
    }

    @Test
    void gradientWrtInputIsW() {
        Tensor g = LinearFunctionGrad.gradWrtInput();
        assertArrayEquals(new int[] {1}, g.shape());
        assertEquals(5.0, g.item(), 1e-6); // d(wx+b)/dx = w
    }

    @Test
    void gradientsWrtWeightsAreXAndOne() {
        Tuple g = LinearFunctionGrad.gradWrtWeights();
        assertEquals(2, g.arity());
        assertEquals(3.0, g.tensor(0).item(), 1e-6); // d/dw = x = 3
        assertEquals(1.0, g.tensor(1).item(), 1e-6); // d/db = 1
    }

    @Test
    void frozenWeightIsLeftOut() {
        Tuple g = LinearFunctionGrad.gradWrtTrainableWeights();
        assertEquals(1, g.arity()); // only b is trainable
        assertEquals(1.0, g.tensor(0).item(), 1e-6);
    }

    @Test
    void sensScalesTheGradient() {
        assertEquals(10.0 * 5.0, LinearFunctionGrad.scaledGrad().item(), 1e-6); // sens * w
    }

    @Test
    void stopGradientGivesZero() {
        Tensor g = LinearFunctionGrad.stoppedGrad();
        assertArrayEquals(new int[] {1}, g.shape());
        assertEquals(0.0, g.item(), 0.0);
    }
}
