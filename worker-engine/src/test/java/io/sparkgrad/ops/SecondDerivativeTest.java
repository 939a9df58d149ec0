package io.sparkgrad.ops;

import static io.sparkgrad.TestSupport.assertClose;
import static io.sparkgrad.TestSupport.f64;
import static io.sparkgrad.TestSupport.randn64;
import static io.sparkgrad.TestSupport.uniform64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.Tensor;
import io.sparkgrad.Value;
import io.sparkgrad.check.GradientChecker;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Gradients of gradients: nested GradOperation against closed forms and finite differences. */
class SecondDerivativeTest {
    private static final GradOperation GRAD = new GradOperation();
    private static final GradOperation GRAD_ALL = new GradOperation(true, false, false);

    /** d/dx of sum(f(x)), elementwise f: f'(x). */
    private static Fn derivative(Fn f) {
        return xs -> GRAD.apply(f).tensor(xs[0]);
    }

    private static Fn sumOf(UnaryOperator<Tensor> f) {
        return xs -> Ops.sum(f.apply(xs[0]));
    }

    private static final double[] POINTS = {-2.0, -0.7, 0.0, 0.4, 1.3, 2.5};

    @Test
    void secondDerivativeOfCubeIsSixX() {
        Tensor x = f64(POINTS, POINTS.length);
        Fn cube = sumOf(t -> Ops.mul(Ops.mul(t, t), t));
        Tensor d2 = GRAD.apply(derivative(cube)).tensor(x);
        double[] expected = new double[POINTS.length];
        for (int i = 0; i < POINTS.length; i++) {
            expected[i] = 6 * POINTS[i];
        }
        assertClose(expected, d2, 1e-12);
        // pow with a constant exponent: the rule's own pow(a, b-1) is differentiated again
        Tensor d2pow = GRAD.apply(derivative(sumOf(t -> Ops.pow(t, 3.0)))).tensor(f64(new double[] {0.5, 1.5, 3}, 3));
        assertClose(new double[] {3, 9, 18}, d2pow, 1e-12);
        // third derivative of x^3 is 6
        Tensor d3 = GRAD.apply(xs -> Ops.sum(GRAD.apply(derivative(cube)).tensor(xs[0]))).tensor(x);
        assertClose(new double[] {6, 6, 6, 6, 6, 6}, d3, 1e-12);
    }

    static Stream<Arguments> closedForms() {
        DoubleUnaryOperator sig = v -> 1 / (1 + Math.exp(-v));
        return Stream.of(
                Arguments.of("exp", (UnaryOperator<Tensor>) Ops::exp, (DoubleUnaryOperator) Math::exp),
                Arguments.of("tanh", (UnaryOperator<Tensor>) Ops::tanh, (DoubleUnaryOperator) v -> {
                    double t = Math.tanh(v);
                    return -2 * t * (1 - t * t);
                }),
                Arguments.of("sigmoid", (UnaryOperator<Tensor>) Ops::sigmoid, (DoubleUnaryOperator) v -> {
                    double s = sig.applyAsDouble(v);
                    return s * (1 - s) * (1 - 2 * s);
                }),
                Arguments.of("log", (UnaryOperator<Tensor>) t -> Ops.log(Ops.add(t, 3.0)),
                        (DoubleUnaryOperator) v -> -1 / ((v + 3) * (v + 3))),
                Arguments.of("sqrt", (UnaryOperator<Tensor>) t -> Ops.sqrt(Ops.add(t, 3.0)),
                        (DoubleUnaryOperator) v -> -0.25 * Math.pow(v + 3, -1.5)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("closedForms")
    void secondDerivativeMatchesClosedForm(String name, UnaryOperator<Tensor> f, DoubleUnaryOperator f2) {
        Tensor x = f64(POINTS, POINTS.length);
        Tensor d2 = GRAD.apply(derivative(sumOf(f))).tensor(x);
        for (int i = 0; i < POINTS.length; i++) {
            double want = f2.applyAsDouble(POINTS[i]);
            assertEquals(want, d2.getFlat(i), 1e-12 * Math.max(1, Math.abs(want)), name + "''(" + POINTS[i] + ")");
        }
    }

    @Test
    void sigmoidIsFiniteAndAccurateAtLargeMagnitudes() {
        Tensor x = f64(new double[] {-50, 50, -30}, 3);
        Tensor g = GRAD.apply(sumOf(Ops::sigmoid)).tensor(x);
        for (int i = 0; i < 3; i++) {
            double v = x.getFlat(i);
            double e = Math.exp(-Math.abs(v));
            double want = e / ((1 + e) * (1 + e)); // sigmoid'(x), symmetric in x
            assertTrue(Double.isFinite(g.getFlat(i)));
            assertEquals(want, g.getFlat(i), want * 1e-12, "sigmoid'(" + v + ")");
        }
        Tensor s = Ops.sigmoid(Tensor.of(-100f, 100f));
        assertClose(new double[] {Math.exp(-100) / (1 + Math.exp(-100)), 1}, s, 1e-30);
    }

    /** f(x) = sum(x^3) + (x0 x1)^2. */
    private static Tensor hvpFunction(Tensor x) {
        Tensor x0 = Ops.slice(x, new int[] {0}, new int[] {1});
        Tensor x1 = Ops.slice(x, new int[] {1}, new int[] {1});
        Tensor p = Ops.mul(x0, x1);
        return Ops.add(Ops.sum(Ops.pow(x, 3.0)), Ops.sum(Ops.mul(p, p)));
    }

    @Test
    void hessianVectorProductMatchesHandComputedHessian() {
        double[] xv = {0.5, -1.5, 2.0};
        double[] vv = {1.0, 2.0, -0.5};
        Tensor x = f64(xv, 3);
        Tensor v = f64(vv, 3);
        // H = diag(6 x) + [[2 x1^2, 4 x0 x1, 0], [4 x0 x1, 2 x0^2, 0], [0, 0, 0]]
        double[][] h = new double[3][3];
        for (int i = 0; i < 3; i++) {
            h[i][i] = 6 * xv[i];
        }
        h[0][0] += 2 * xv[1] * xv[1];
        h[1][1] += 2 * xv[0] * xv[0];
        h[0][1] = h[1][0] = 4 * xv[0] * xv[1];
        double[] hv = new double[3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                hv[i] += h[i][j] * vv[j];
            }
        }
        Fn grad = xs -> GRAD.apply(a -> hvpFunction(a[0])).tensor(xs[0]);
        // first derivative vs closed form: 3x^2 + (2 x0 x1^2, 2 x0^2 x1, 0)
        Tensor g = grad.call(x).tensor();
        assertClose(new double[] {3 * 0.25 + 2 * 0.5 * 2.25, 3 * 2.25 + 2 * 0.25 * -1.5, 12}, g, 1e-12);
        // HVP as the gradient of <grad f(x), v>
        Tensor hvp1 = GRAD.apply(xs -> Ops.sum(Ops.mul(grad.call(xs[0]).tensor(), v))).tensor(x);
        assertClose(hv, hvp1, 1e-12);
        // HVP as a vector-Jacobian product of the gradient function with sens v
        Tensor hvp2 = new GradOperation(false, false, true).apply(grad).tensor(x, v);
        assertClose(hv, hvp2, 1e-12);
        // the full Hessian, column by column
        for (int j = 0; j < 3; j++) {
            double[] e = new double[3];
            e[j] = 1;
            Tensor col = new GradOperation(false, false, true).apply(grad).tensor(x, f64(e, 3));
            assertClose(new double[] {h[0][j], h[1][j], h[2][j]}, col, 1e-12);
        }
    }

    static Stream<Arguments> gradientFunctions() {
        return Stream.of(
                Arguments.of("mul", (Fn) xs -> GRAD_ALL.apply(a -> Ops.mul(Ops.mul(a[0], a[0]), a[1])).call(xs),
                        new Tensor[] {randn64(1, 2, 3), randn64(2, 2, 3)}),
                Arguments.of("div", (Fn) xs -> GRAD_ALL.apply(a -> Ops.div(a[0], a[1])).call(xs),
                        new Tensor[] {randn64(3, 2, 3), uniform64(4, 0.5, 2, 2, 3)}),
                Arguments.of("exp", (Fn) xs -> GRAD.apply(a -> Ops.exp(Ops.mul(a[0], a[0]))).call(xs),
                        new Tensor[] {randn64(5, 4)}),
                Arguments.of("tanh", (Fn) xs -> GRAD.apply(a -> Ops.tanh(a[0])).call(xs),
                        new Tensor[] {randn64(6, 4)}),
                Arguments.of("matmul", (Fn) xs -> GRAD_ALL.apply(a -> Ops.tanh(Ops.matmul(a[0], a[1]))).call(xs),
                        new Tensor[] {randn64(7, 3, 4), randn64(8, 4, 2)}),
                Arguments.of("matmul transposed", (Fn) xs ->
                                GRAD_ALL.apply(a -> Ops.exp(Ops.matmul(a[0], a[1], true, true))).call(xs),
                        new Tensor[] {Ops.mul(randn64(9, 4, 3), 0.3), Ops.mul(randn64(10, 2, 4), 0.3)}),
                Arguments.of("softmaxCrossEntropy wrt logits", (Fn) xs ->
                                GRAD.apply(a -> Ops.softmaxCrossEntropy(a[0], Tensor.of(0f, 2f, 1f))).call(xs),
                        new Tensor[] {randn64(11, 3, 4)}),
                Arguments.of("max and sum", (Fn) xs -> GRAD.apply(a -> Ops.sum(Ops.max(Ops.mul(a[0], a[0]), true, 1))).call(xs),
                        new Tensor[] {f64(new double[] {0.5, -2, 1.2, 3, -0.1, 0.7}, 2, 3)}),
                Arguments.of("sigmoid", (Fn) xs -> GRAD.apply(a -> Ops.sigmoid(a[0])).call(xs),
                        new Tensor[] {f64(new double[] {-3, -0.2, 0.6, 2}, 4)}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("gradientFunctions")
    void gradientOfGradientPassesFiniteDifferences(String name, Fn gradFn, Tensor[] inputs) {
        GradientChecker.Report r = GradientChecker.builder().build().check(gradFn, inputs);
        r.assertPassed();
    }

    @Test
    void nestedGradientOfTupleResult() {
        // getAll inside: d/dx of (grad_x(x*y), grad_y(x*y)) = d/dx (y, x) contracted with ones = (1, 1)
        Tensor x = f64(new double[] {2, 3}, 2);
        Tensor y = f64(new double[] {5, 7}, 2);
        Value g = new GradOperation(true, false, false).apply(xs -> GRAD_ALL.apply(a -> Ops.mul(a[0], a[1])).call(xs))
                .call(x, y);
        assertClose(new double[] {1, 1}, g.get(0).tensor(), 0);
        assertClose(new double[] {1, 1}, g.get(1).tensor(), 0);
    }

    @Test
    void gradientPenaltyWrtParametersPassesFiniteDifferences() {
        // f(W) = sum((d/dx sum(tanh(x W^T)))^2): the input gradient depends on the weights
        io.sparkgrad.nn.Dense d = io.sparkgrad.nn.Dense.builder(3, 2).seed(5).dtype(io.sparkgrad.DType.FLOAT64).build();
        Tensor data = randn64(6, 4, 3);
        // the inner call reaches the outer one through the weights alone, which the data cannot
        // show (a parameter's leaf is shared by every call): PyTorch's create_graph says so
        GradOperation inner = GradOperation.builder().createGraph(true).build();
        Fn penalty = xs -> {
            Tensor gx = inner.apply(a -> Ops.sum(Ops.tanh(d.construct(a[0])))).tensor(data);
            return Ops.sum(Ops.square(gx));
        };
        GradientChecker.builder().build().checkParams(penalty, d.trainableParamTuple()).assertPassed();
        // and with respect to the data as well
        GradientChecker.builder().build().check(xs -> {
            Tensor gx = GRAD.apply(a -> Ops.sum(Ops.tanh(d.construct(a[0])))).tensor(xs[0]);
            return Ops.sum(Ops.square(gx));
        }, data).assertPassed();
    }
}
