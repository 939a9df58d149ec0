package io.sparkgrad.ops;

import static io.sparkgrad.TestSupport.assertClose;
import static io.sparkgrad.TestSupport.f64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.sparkgrad.DType;
import io.sparkgrad.Tensor;
import java.util.function.BinaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The Bool comparisons: values, dtype, no graph node, and zero gradient through them. */
class ComparisonTest {
    private static final Tensor A = f64(new double[] {1, 2, 3, -1}, 4);
    private static final Tensor B = f64(new double[] {2, 2, 1, -1}, 4);

    static Stream<Arguments> comparisons() {
        return Stream.of(
                Arguments.of("eq", Primitives.EQ, (BinaryOperator<Tensor>) Ops::eq, new double[] {0, 1, 0, 1}),
                Arguments.of("ne", Primitives.NE, (BinaryOperator<Tensor>) Ops::ne, new double[] {1, 0, 1, 0}),
                Arguments.of("lt", Primitives.LT, (BinaryOperator<Tensor>) Ops::lt, new double[] {1, 0, 0, 0}),
                Arguments.of("le", Primitives.LE, (BinaryOperator<Tensor>) Ops::le, new double[] {1, 1, 0, 1}),
                Arguments.of("gt", Primitives.GT, (BinaryOperator<Tensor>) Ops::gt, new double[] {0, 0, 1, 0}),
                Arguments.of("ge", Primitives.GE, (BinaryOperator<Tensor>) Ops::ge, new double[] {0, 1, 1, 1}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("comparisons")
    void boolOutputWithoutGradient(String name, Primitive p, BinaryOperator<Tensor> op, double[] expected) {
        assertEquals(name, p.name());
        assertFalse(p.differentiable(), name + " must have no gradient rule");
        Tensor r = op.apply(A, B);
        assertEquals(DType.BOOL, r.dtype());
        assertClose(expected, new int[] {4}, r, 0);

        // Through a GradOperation: the comparison's output is a constant, so x gets zeros.
        Fn f = xs -> Ops.mul(Ops.cast(op.apply(xs[0], B), DType.FLOAT64), 3.0);
        Tensor g = new GradOperation().apply(f).tensor(A);
        assertEquals(DType.FLOAT64, g.dtype());
        assertClose(new double[] {0, 0, 0, 0}, new int[] {4}, g, 0);

        // Inside a larger function only the differentiable path contributes: d/dx sum(x * cmp) = cmp.
        Fn h = xs -> Ops.sum(Ops.mul(xs[0], Ops.cast(op.apply(xs[0], B), DType.FLOAT64)));
        assertClose(expected, new GradOperation().apply(h).tensor(A), 0);

        // A tracked input still gives an untracked Bool output.
        Tensor tracked = new GradOperation().apply(xs -> {
            Tensor c = op.apply(xs[0], B);
            assertFalse(Ops.isTracked(c), name + " output must not carry a graph node");
            return Ops.sum(xs[0]);
        }).tensor(A);
        assertClose(new double[] {1, 1, 1, 1}, tracked, 0);
    }
}
