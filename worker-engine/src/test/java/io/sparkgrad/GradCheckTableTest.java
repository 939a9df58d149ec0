package io.sparkgrad;

import static io.sparkgrad.TestSupport.f64;
import static io.sparkgrad.TestSupport.randn64;
import static io.sparkgrad.TestSupport.uniform64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.check.GradientChecker;
import io.sparkgrad.ops.Fn;
import io.sparkgrad.ops.GradOperation;
import io.sparkgrad.ops.GradScope;
import io.sparkgrad.ops.Ops;
import io.sparkgrad.ops.Primitive;
import io.sparkgrad.ops.Primitives;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Central finite differences (Float64, via {@link GradientChecker}) against the engine's gradient
 * for every differentiable primitive and every composite in {@link Ops}. Inputs are chosen away
 * from kinks (abs at 0, relu at 0, ties in max/maximum/minimum).
 */
class GradCheckTableTest {

    /** One row of the table: a function, its inputs and the checker to use. */
    record Case(String name, Fn fn, Tensor[] inputs, GradientChecker checker) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final GradientChecker DEFAULT = GradientChecker.builder().build();

    private static Case c(String name, Fn fn, Tensor... inputs) {
        return new Case(name, fn, inputs, DEFAULT);
    }

    /** Values in [lo, hi) with a random sign: |x| >= lo, away from 0. */
    private static Tensor awayFromZero(long seed, double lo, double hi, int... shape) {
        Tensor mag = uniform64(seed, lo, hi, shape);
        Tensor sign = uniform64(seed + 1000, -1, 1, shape);
        double[] v = new double[mag.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = mag.getFlat(i) * (sign.getFlat(i) < 0 ? -1 : 1);
        }
        return f64(v, shape);
    }

    static Stream<Case> cases() {
        List<Case> cs = new ArrayList<>();
        // ---- elementwise binary primitives, including broadcasting ----
        cs.add(c("add", xs -> Ops.add(xs[0], xs[1]), randn64(1, 2, 3), randn64(2, 2, 3)));
        cs.add(c("add broadcast [3,1]+[4]", xs -> Ops.add(xs[0], xs[1]), randn64(3, 3, 1), randn64(4, 4)));
        cs.add(c("add broadcast [2,1,3]+[4,1]", xs -> Ops.add(xs[0], xs[1]), randn64(5, 2, 1, 3), randn64(6, 4, 1)));
        cs.add(c("mul", xs -> Ops.mul(xs[0], xs[1]), randn64(7, 2, 3), randn64(8, 2, 3)));
        cs.add(c("mul broadcast [2,3]*[3]", xs -> Ops.mul(xs[0], xs[1]), randn64(9, 2, 3), randn64(10, 3)));
        cs.add(c("mul scalar-shaped []", xs -> Ops.mul(xs[0], xs[1]), randn64(11, 2, 3), randn64(12)));
        cs.add(c("div", xs -> Ops.div(xs[0], xs[1]), randn64(13, 2, 3), awayFromZero(14, 0.5, 2, 2, 3)));
        cs.add(c("div broadcast [2,3]/[2,1]", xs -> Ops.div(xs[0], xs[1]), randn64(15, 2, 3), awayFromZero(16, 0.5, 2, 2, 1)));
        cs.add(c("pow (base and exponent)", xs -> Ops.pow(xs[0], xs[1]), uniform64(17, 0.5, 2, 2, 3), uniform64(18, -1.5, 2.5, 2, 3)));
        cs.add(c("pow constant exponent", xs -> Ops.pow(xs[0], 3.0), randn64(19, 4)));
        cs.add(c("maximum", xs -> Ops.maximum(xs[0], xs[1]),
                f64(new double[] {1, -2, 3, 0.5, -0.7, 2}, 2, 3), f64(new double[] {0.2, -1, 3.5, -0.5, 0.7, 1.8}, 2, 3)));
        cs.add(c("maximum broadcast", xs -> Ops.maximum(xs[0], xs[1]),
                f64(new double[] {1, -2, 3, 0.5, -0.7, 2}, 2, 3), f64(new double[] {0.2, -1, 2.5}, 3)));
        cs.add(c("minimum", xs -> Ops.minimum(xs[0], xs[1]),
                f64(new double[] {1, -2, 3, 0.5, -0.7, 2}, 2, 3), f64(new double[] {0.2, -1, 3.5, -0.5, 0.7, 1.8}, 2, 3)));
        Tensor cond = Tensor.wrapBool(new float[] {1, 0, 1, 0, 0, 1}, 2, 3);
        cs.add(c("where", xs -> Ops.where(cond, xs[0], xs[1]), randn64(20, 2, 3), randn64(21, 2, 3)));
        cs.add(c("where broadcast b [3]", xs -> Ops.where(cond, xs[0], xs[1]), randn64(22, 2, 3), randn64(23, 3)));
        // ---- elementwise unary primitives ----
        cs.add(c("neg", xs -> Ops.neg(xs[0]), randn64(24, 2, 3)));
        cs.add(c("exp", xs -> Ops.exp(xs[0]), randn64(25, 2, 3)));
        cs.add(c("log", xs -> Ops.log(xs[0]), uniform64(26, 0.3, 3, 2, 3)));
        cs.add(c("sqrt", xs -> Ops.sqrt(xs[0]), uniform64(27, 0.3, 3, 2, 3)));
        cs.add(c("abs", xs -> Ops.abs(xs[0]), awayFromZero(28, 0.1, 2, 2, 3)));
        cs.add(c("tanh", xs -> Ops.tanh(xs[0]), randn64(29, 2, 3)));
        cs.add(c("identity", xs -> Ops.mul(Primitives.IDENTITY.apply(xs[0]), xs[0]), randn64(30, 3)));
        cs.add(new Case("cast float64->float32->float64",
                xs -> Ops.cast(Ops.mul(Ops.cast(xs[0], DType.FLOAT32), 3.0), DType.FLOAT64),
                new Tensor[] {uniform64(31, 0.5, 2, 5)},
                GradientChecker.builder().step(1e-2).rtol(1e-3).atol(1e-3).build()));
        // ---- matmul ----
        cs.add(c("matmul 2-D", xs -> Ops.matmul(xs[0], xs[1]), randn64(32, 3, 4), randn64(33, 4, 5)));
        cs.add(c("matmul batched [2,3,4]@[2,4,5]", xs -> Ops.matmul(xs[0], xs[1]), randn64(34, 2, 3, 4), randn64(35, 2, 4, 5)));
        cs.add(c("matmul batch broadcast [3,4]@[2,4,5]", xs -> Ops.matmul(xs[0], xs[1]), randn64(36, 3, 4), randn64(37, 2, 4, 5)));
        cs.add(c("matmul batch broadcast [2,1,3,4]@[3,4,2]", xs -> Ops.matmul(xs[0], xs[1]),
                randn64(38, 2, 1, 3, 4), randn64(39, 3, 4, 2)));
        cs.add(c("matmul transA", xs -> Ops.matmul(xs[0], xs[1], true, false), randn64(40, 4, 3), randn64(41, 4, 5)));
        cs.add(c("matmul transB", xs -> Ops.matmul(xs[0], xs[1], false, true), randn64(42, 3, 4), randn64(43, 5, 4)));
        cs.add(c("matmul transA transB", xs -> Ops.matmul(xs[0], xs[1], true, true), randn64(44, 4, 3), randn64(45, 5, 4)));
        cs.add(c("matmul batched transA transB", xs -> Ops.matmul(xs[0], xs[1], true, true),
                randn64(46, 2, 4, 3), randn64(47, 5, 4)));
        // ---- reductions ----
        cs.add(c("sum all", xs -> Ops.sum(xs[0]), randn64(48, 2, 3, 4)));
        cs.add(c("sum axis 1", xs -> Ops.sum(xs[0], false, 1), randn64(49, 2, 3, 4)));
        cs.add(c("sum axes 0,2 keepDims", xs -> Ops.sum(xs[0], true, 0, 2), randn64(50, 2, 3, 4)));
        cs.add(c("sum axis -1 keepDims", xs -> Ops.sum(xs[0], true, -1), randn64(51, 2, 3, 4)));
        cs.add(c("max all", xs -> Ops.max(xs[0]), randn64(52, 2, 3, 4)));
        cs.add(c("max axis 1", xs -> Ops.max(xs[0], false, 1), randn64(53, 2, 3, 4)));
        cs.add(c("max axes 0,2 keepDims", xs -> Ops.max(xs[0], true, 0, 2), randn64(54, 2, 3, 4)));
        cs.add(c("max axis -1 keepDims", xs -> Ops.max(xs[0], true, -1), randn64(55, 2, 3, 4)));
        // ---- data movement ----
        cs.add(c("reshape", xs -> Ops.reshape(xs[0], 4, 6), randn64(56, 2, 3, 4)));
        cs.add(c("reshape -1", xs -> Ops.reshape(xs[0], -1, 2), randn64(57, 2, 3, 4)));
        cs.add(c("transpose [2,0,1]", xs -> Ops.transpose(xs[0], 2, 0, 1), randn64(58, 2, 3, 4)));
        cs.add(c("t", xs -> Ops.t(xs[0]), randn64(59, 3, 5)));
        cs.add(c("broadcastTo [3,1]->[2,3,4]", xs -> Ops.broadcastTo(xs[0], 2, 3, 4), randn64(60, 3, 1)));
        cs.add(c("slice", xs -> Ops.slice(xs[0], new int[] {0, 1, 1}, new int[] {2, 2, 2}), randn64(61, 2, 3, 4)));
        cs.add(c("rows", xs -> Ops.rows(xs[0], 1, 3), randn64(62, 4, 3)));
        cs.add(c("pad", xs -> Primitives.pad(new int[] {1, 0, 2}, new int[] {4, 3, 5}).apply(xs[0]), randn64(63, 2, 3, 2)));
        cs.add(c("concat axis 1", xs -> Ops.concat(1, xs[0], xs[1], xs[2]),
                randn64(64, 2, 1, 3), randn64(65, 2, 3, 3), randn64(66, 2, 2, 3)));
        cs.add(c("concat axis 0", xs -> Ops.concat(0, xs[0], xs[1]), randn64(67, 1, 3), randn64(68, 2, 3)));
        Tensor idx = Tensor.of(2f, 0f, 1f, 2f);
        cs.add(c("gather", xs -> Ops.gather(xs[0], idx), randn64(69, 4, 3)));
        // ---- composites ----
        cs.add(c("sub", xs -> Ops.sub(xs[0], xs[1]), randn64(70, 2, 3), randn64(71, 3)));
        cs.add(c("sub scalar", xs -> Ops.sub(2.5, xs[0]), randn64(72, 4)));
        cs.add(c("square", xs -> Ops.square(xs[0]), randn64(73, 4)));
        cs.add(c("sigmoid", xs -> Ops.sigmoid(xs[0]), f64(new double[] {-3, -0.5, 0.25, 1, 4}, 5)));
        cs.add(c("sigmoid at 0", xs -> Ops.sigmoid(xs[0]), f64(new double[] {0, 0, 1e-3, -1e-3}, 4)));
        cs.add(c("bceWithLogits at 0", xs -> Ops.bceWithLogits(xs[0], xs[1], Ops.Reduction.NONE),
                f64(new double[] {0, 0, 0}, 3), f64(new double[] {0, 1, 0.3}, 3)));
        cs.add(c("sigmoid large |x|", xs -> Ops.sigmoid(xs[0]), f64(new double[] {-50, 50, -30, 30}, 4)));
        cs.add(c("relu", xs -> Ops.relu(xs[0]), awayFromZero(74, 0.1, 2, 2, 4)));
        cs.add(c("softmax axis 1", xs -> Ops.softmax(xs[0], 1), randn64(75, 3, 4)));
        cs.add(c("softmax axis 0", xs -> Ops.softmax(xs[0], 0), randn64(76, 3, 4)));
        cs.add(c("logSoftmax axis -1", xs -> Ops.logSoftmax(xs[0], -1), randn64(77, 3, 4)));
        cs.add(c("mean", xs -> Ops.mean(xs[0]), randn64(78, 2, 3)));
        cs.add(c("mean axis 1 keepDims", xs -> Ops.mean(xs[0], true, 1), randn64(79, 2, 3, 4)));
        cs.add(c("norm", xs -> Ops.norm(xs[0]), randn64(80, 2, 3)));
        cs.add(c("dot", xs -> Ops.dot(xs[0], xs[1]), randn64(81, 5), randn64(82, 5)));
        cs.add(c("stack axis 0", xs -> Ops.stack(0, xs[0], xs[1]), randn64(83, 2, 3), randn64(84, 2, 3)));
        cs.add(c("stack axis -1", xs -> Ops.stack(-1, xs[0], xs[1], xs[2]), randn64(85, 3), randn64(86, 3), randn64(87, 3)));
        cs.add(c("expandDims", xs -> Ops.expandDims(xs[0], 1), randn64(88, 2, 3)));
        cs.add(c("mseLoss", xs -> Ops.mseLoss(xs[0], xs[1]), randn64(89, 3, 2), randn64(90, 3, 2)));
        cs.add(c("mseLoss sum", xs -> Ops.mseLoss(xs[0], xs[1], Ops.Reduction.SUM), randn64(91, 4), randn64(92, 4)));
        Tensor labels = Tensor.of(1f, 0f, 3f);
        cs.add(c("softmaxCrossEntropy", xs -> Ops.softmaxCrossEntropy(xs[0], labels), randn64(93, 3, 4)));
        cs.add(c("softmaxCrossEntropy none", xs -> Ops.softmaxCrossEntropy(xs[0], labels, Ops.Reduction.NONE),
                randn64(94, 3, 4)));
        cs.add(c("bceWithLogits", xs -> Ops.bceWithLogits(xs[0], xs[1]),
                awayFromZero(95, 0.1, 3, 2, 3), uniform64(96, 0, 1, 2, 3)));
        cs.add(c("bceWithLogits large |x|", xs -> Ops.bceWithLogits(xs[0], xs[1], Ops.Reduction.SUM),
                f64(new double[] {-40, 40, -25}, 3), f64(new double[] {1, 0, 0.5}, 3)));
        // ---- fused primitives: first derivatives beyond the composites' cases above ----
        cs.add(c("reluGrad (x, g)", xs -> Primitives.RELU_GRAD.apply(xs[0], xs[1]),
                awayFromZero(100, 0.1, 2, 2, 3), randn64(101, 2, 3)));
        cs.add(c("logSoftmax axis 1 of [2,3,4]", xs -> Ops.logSoftmax(xs[0], 1), randn64(102, 2, 3, 4)));
        cs.add(c("logSoftmax axis 0", xs -> Ops.logSoftmax(xs[0], 0), randn64(103, 3, 4)));
        cs.add(c("softmaxCrossEntropy sum", xs -> Ops.softmaxCrossEntropy(xs[0], labels, Ops.Reduction.SUM),
                randn64(104, 3, 4)));
        // ---- fused primitives: second derivatives (the gradient function, checked again) ----
        GradOperation grad = new GradOperation();
        GradOperation gradAll = new GradOperation(true, false, false);
        cs.add(c("relu'' (grad of sum(relu(x) x))",
                xs -> grad.apply(a -> Ops.sum(Ops.mul(Ops.relu(a[0]), a[0]))).tensor(xs[0]),
                awayFromZero(105, 0.1, 2, 2, 4)));
        cs.add(c("reluGrad'' (grad of sum(reluGrad(x, g)^2))",
                xs -> gradAll.apply(a -> Ops.sum(Ops.square(Primitives.RELU_GRAD.apply(a[0], a[1])))).call(xs),
                awayFromZero(106, 0.1, 2, 2, 3), randn64(107, 2, 3)));
        cs.add(c("sigmoid''", xs -> grad.apply(a -> Ops.sum(Ops.sigmoid(a[0]))).tensor(xs[0]),
                f64(new double[] {-6, -1.5, -0.2, 0, 0.3, 2, 7}, 7)));
        cs.add(c("bceWithLogits'' (x and t)",
                xs -> gradAll.apply(a -> Ops.bceWithLogits(a[0], a[1], Ops.Reduction.SUM)).call(xs),
                awayFromZero(108, 0.1, 3, 2, 3), uniform64(109, 0, 1, 2, 3)));
        Tensor w = randn64(110, 3, 4);
        cs.add(c("logSoftmax'' axis 1", xs -> grad.apply(a -> Ops.sum(Ops.mul(Ops.logSoftmax(a[0], 1), w))).tensor(xs[0]),
                randn64(111, 3, 4)));
        cs.add(c("logSoftmax'' axis 0", xs -> grad.apply(a -> Ops.sum(Ops.mul(Ops.logSoftmax(a[0], 0), w))).tensor(xs[0]),
                randn64(112, 3, 4)));
        cs.add(c("softmaxCrossEntropy''", xs -> grad.apply(a -> Ops.softmaxCrossEntropy(a[0], labels)).tensor(xs[0]),
                randn64(113, 3, 4)));
        cs.add(c("tuple output (sum, x*y)", xs -> Tuple.of(Ops.sum(xs[0]), Ops.mul(xs[0], xs[1])),
                randn64(97, 2, 2), randn64(98, 2, 2)));
        cs.add(c("input used twice", xs -> Ops.add(Ops.mul(xs[0], xs[0]), Ops.exp(xs[0])), randn64(99, 3)));
        return cs.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradientMatchesCentralDifferences(Case tc) {
        GradientChecker.Report report = tc.checker().check(tc.fn(), tc.inputs());
        report.assertPassed();
        int expected = 0;
        for (Tensor t : tc.inputs()) {
            expected += t.size();
        }
        assertEquals(expected, report.checked(), "every input element is compared");
    }

    @Test
    void tableCoversEveryDifferentiablePrimitive() {
        Set<String> covered = new TreeSet<>();
        cases().forEach(tc -> {
            Tensor[] watched = new Tensor[tc.inputs().length];
            Value out;
            try (GradScope scope = GradScope.open()) {
                for (int i = 0; i < watched.length; i++) {
                    Tensor in = tc.inputs()[i];
                    watched[i] = in.dtype().isFloating() ? scope.watch(in) : in;
                }
                out = tc.fn().call(watched);
            }
            List<Tensor> outs = new ArrayList<>();
            if (out.isTuple()) {
                for (Value v : (Tuple) out) {
                    outs.add(v.tensor());
                }
            } else {
                outs.add(out.tensor());
            }
            for (Tensor o : outs) {
                covered.addAll(TestSupport.recordedOps(o));
            }
        });
        Set<String> comparisons = Set.of("eq", "ne", "lt", "le", "gt", "ge");
        Set<String> missing = new TreeSet<>();
        for (String name : Primitives.NAMES) {
            if (!comparisons.contains(name) && !covered.contains(name)) {
                missing.add(name);
            }
        }
        assertTrue(missing.isEmpty(), "primitives without a gradient check: " + missing);
        for (String name : covered) {
            assertTrue(Primitives.NAMES.contains(name), "recorded op '" + name + "' is missing from Primitives.NAMES");
        }
        for (String cmp : comparisons) {
            assertTrue(Primitives.NAMES.contains(cmp), cmp);
            assertFalse(covered.contains(cmp), "Bool comparison " + cmp + " must never be recorded");
        }
    }

    @Test
    void castRuleIsExact() {
        Tensor x = f64(new double[] {0.1, -2.5, 3.0}, 3);
        Tensor sens = Tensor.of(2f, -1f, 0.5f);
        Tensor g = new GradOperation(false, false, true).apply(xs -> Ops.cast(xs[0], DType.FLOAT32)).tensor(x, sens);
        assertEquals(DType.FLOAT64, g.dtype());
        TestSupport.assertClose(new double[] {2, -1, 0.5}, new int[] {3}, g, 0);
        Tensor y = Tensor.of(1.5f, 2f);
        Tensor gy = new GradOperation(false, false, true).apply(xs -> Ops.cast(xs[0], DType.FLOAT64))
                .tensor(y, f64(new double[] {0.25, -4}, 2));
        assertEquals(DType.FLOAT32, gy.dtype());
        TestSupport.assertClose(new double[] {0.25, -4}, new int[] {2}, gy, 0);
    }

    @Test
    void checkerRejectsAWrongRule() {
        // d/dx x^2 = 2x; this rule forgets the 2, and the checker must notice.
        Primitive badSquare = Primitive.of("badSquare",
                in -> io.sparkgrad.kernel.Elementwise.binary(io.sparkgrad.kernel.Elementwise.Binary.MUL, in[0], in[0]),
                (g, in, y, n) -> new Tensor[] {Ops.mul(g, in[0])});
        GradientChecker.Report r = DEFAULT.check(xs -> badSquare.apply(xs[0]), f64(new double[] {1, 2, -3}, 3));
        assertFalse(r.passed(), r.toString());
        assertEquals(3, r.mismatches().size());
    }

    @Test
    void tiesShareTheGradientEvenly() {
        Tensor x = f64(new double[] {1, 3, 3, -2}, 4);
        Tensor g = new GradOperation().apply(xs -> Ops.max(xs[0])).tensor(x);
        TestSupport.assertClose(new double[] {0, 0.5, 0.5, 0}, g, 0);
        Tensor gm = new GradOperation().apply(xs -> Ops.sum(Ops.maximum(xs[0], xs[0]))).tensor(x);
        TestSupport.assertClose(new double[] {1, 1, 1, 1}, gm, 0);
        // abs and relu have derivative 0 at 0 (the subgradient the engine picks)
        Tensor z = f64(new double[] {0, 2, -2}, 3);
        TestSupport.assertClose(new double[] {0, 1, -1}, new GradOperation().apply(xs -> Ops.sum(Ops.abs(xs[0]))).tensor(z), 0);
        TestSupport.assertClose(new double[] {0, 1, 0}, new GradOperation().apply(xs -> Ops.sum(Ops.relu(xs[0]))).tensor(z), 0);
    }

    @Test
    void smoothCompositesHaveTheirTrueDerivativeAtZero() {
        // sigmoid'(0) = 1/4 (not abs's subgradient 0), in both precisions
        Tensor g32 = new GradOperation().apply(xs -> Ops.sum(Ops.sigmoid(xs[0]))).tensor(Tensor.of(0f, 0f));
        TestSupport.assertClose(new double[] {0.25, 0.25}, g32, 0);
        Tensor g64 = new GradOperation().apply(xs -> Ops.sum(Ops.sigmoid(xs[0]))).tensor(f64(new double[] {0}, 1));
        TestSupport.assertClose(new double[] {0.25}, g64, 0);
        // d/dx bce(x, y) = sigmoid(x) - y, at 0: 1/2 - y
        Tensor y = f64(new double[] {0, 1, 0.25}, 3);
        Tensor gb = new GradOperation().apply(xs -> Ops.bceWithLogits(xs[0], y, Ops.Reduction.SUM))
                .tensor(f64(new double[] {0, 0, 0}, 3));
        TestSupport.assertClose(new double[] {0.5, -0.5, 0.25}, gb, 1e-15);
        // and the loss value at 0 is log 2
        assertEquals(Math.log(2), Ops.bceWithLogits(f64(new double[] {0}, 1), f64(new double[] {1}, 1)).item(), 1e-15);
        // sigmoid values on both sides and at 0
        TestSupport.assertClose(new double[] {1 / (1 + Math.exp(2)), 0.5, 1 / (1 + Math.exp(-3))},
                Ops.sigmoid(f64(new double[] {-2, 0, 3}, 3)), 1e-16);
    }
}
