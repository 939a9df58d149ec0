package io.sparkgrad.examples.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparkgrad.Tensor;
import io.sparkgrad.Tuple;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link MatMulGrad} against seed 002_15dc511635eb6c2d: f(x, y) = MatMul(x * z, y). */
class MatMulGradTest {
    /** What the port prints: NumPy's str, columns padded, exact float32 values throughout. */
    static final List<String> EXPECTED = List.of(
            "[[4.5099998 2.7       3.6000001]",
            " [4.5099998 2.7       3.6000001]]",
            "(Tensor(shape=[1], dtype=Float32, value= [ 2.15359993e+01]),)",
            "[[2.211 0.51  1.49 ]",
            " [5.588 2.68  4.07 ]]",
            "[[4.5099998 2.7       3.6000001]",
            " [4.5099998 2.7       3.6000001]]",
            "[[9.0199995 5.4       7.2000003]",
            " [9.0199995 5.4       7.2000003]]");

    /**
     * The notebook's printed output as stored in the seed, whose JSON collapsed runs of spaces;
     * its last two results were rounded by hand to one decimal.
     */
    static final List<String> NOTEBOOK = List.of(
            "[[4.5099998 2.7 3.6000001]",
            " [4.5099998 2.7 3.6000001]]",
            "(Tensor(shape=[1], dtype=Float32, value= [ 2.15359993e+01]),)",
            "[[2.211 0.51 1.49 ]",
            " [5.588 2.68 4.07 ]]",
            "[[4.5 2.7 3.6]",
            " [4.5 2.7 3.6]]",
            "[[9.0 5.4 7.2]",
            " [9.0 5.4 7.2]]");

    static final double[][] X = {{0.8f, 0.6f, 0.2f}, {1.8f, 1.3f, 1.1f}};
    static final double[][] Y = {{0.11f, 3.3f, 1.1f}, {1.1f, 0.2f, 1.4f}, {1.1f, 2.2f, 0.3f}};
    static final double[][] SENS = {{0.1f, 0.6f, 0.2f}, {0.8f, 1.3f, 1.1f}};

    @Test
    void mainPrintsTheExpectedText() throws Exception {
        assertEquals(EXPECTED, Stdout.linesOf(MatMulGrad::main));
        assertEquals(EXPECTED, MatMulGrad.lines());
    }

    @Test
    void collapsingSpacesGivesTheSeedText() {
        List<String> printed = MatMulGrad.lines();
        // cells 1-3 (first five lines): the seed's text once runs of spaces are collapsed
        for (int i = 0; i < 5; i++) {
            assertEquals(NOTEBOOK.get(i), Stdout.collapseSpaces(printed.get(i)), "line " + i);
        }
    }

    @Test
    void stopGradientCellsRoundToTheNotebooksValues() {
        // cells 4-5: the notebook printed [[4.5 2.7 3.6]...] and [[9.0 5.4 7.2]...]; the exact
        // values rounded to one decimal give exactly those
        Tensor[] grads = {MatMulGrad.gradWithStopGradient(), MatMulGrad.gradWithoutStopGradient()};
        for (int g = 0; g < 2; g++) {
            for (int i = 0; i < 2; i++) {
                StringBuilder sb = new StringBuilder(i == 0 ? "[[" : " [");
                for (int j = 0; j < 3; j++) {
                    BigDecimal v = BigDecimal.valueOf((float) grads[g].at(i, j)).setScale(1, RoundingMode.HALF_EVEN);
                    sb.append(j > 0 ? " " : "").append(v.toPlainString());
                }
                sb.append(i == 0 ? "]" : "]]");
                assertEquals(NOTEBOOK.get(5 + 2 * g + i), sb.toString());
            }
        }
    }

    /** Row sums of y: df/dx[i][j] = sum_k y[j][k] when the sens is ones. */
    static double rowSum(int j) {
        return Y[j][0] + Y[j][1] + Y[j][2];
    }

    @Test
    void gradWrtXIsRowSumsOfY() {
        Tensor g = MatMulGrad.gradWrtX();
        assertArrayEquals(new int[] {2, 3}, g.shape());
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                assertEquals(rowSum(j), g.at(i, j), 1e-6);
            }
        }
        assertEquals(4.5099998f, (float) g.at(0, 0)); // the float32 the notebook printed
    }

    @Test
    void gradWrtZIsSumOfXTimesRowSums() {
        Tuple g = MatMulGrad.gradWrtZ();
        assertEquals(1, g.arity());
        double expected = 0;
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                expected += X[i][j] * rowSum(j);
            }
        }
        assertEquals(21.536, expected, 1e-5);
        assertEquals(expected, g.tensor(0).item(), 1e-5);
    }

    @Test
    void sensGradIsSensTimesYTransposed() {
        Tensor g = MatMulGrad.scaledGradWrtX();
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                double e = 0;
                for (int k = 0; k < 3; k++) {
                    e += SENS[i][k] * Y[j][k];
                }
                assertEquals(e, g.at(i, j), 1e-6);
            }
        }
    }

    @Test
    void stopGradientHalvesTheGradient() {
        Tensor with = MatMulGrad.gradWithStopGradient();
        Tensor without = MatMulGrad.gradWithoutStopGradient();
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                assertEquals(rowSum(j), with.at(i, j), 1e-6);
                assertEquals(2 * rowSum(j), without.at(i, j), 2e-6);
            }
        }
    }
}
