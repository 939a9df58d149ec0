package io.sparkgrad.ops;

import static io.sparkgrad.TestSupport.assertClose;
import static io.sparkgrad.TestSupport.f64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.DType;
import io.sparkgrad.Parameter;
import io.sparkgrad.ParameterTuple;
import io.sparkgrad.Tensor;
import io.sparkgrad.Tuple;
import io.sparkgrad.Value;
import io.sparkgrad.kernel.Elementwise;
import io.sparkgrad.nn.Cell;
import java.util.List;
import org.junit.jupiter.api.Test;

/** MindSpore's GradOperation semantics, with the seed notebooks' values as the expected answers. */
class GradOperationTest {

    /** The first seed's net: f(x) = w * x + b, w = [5], b = [3]. */
    static final class Linear extends Cell {
        final Parameter w;
        final Parameter b;

        Linear(boolean wTrainable) {
            w = new Parameter(Tensor.of(5f), "w", wTrainable);
            b = new Parameter(Tensor.of(3f), "b");
        }

        @Override
        public Tensor construct(Tensor... in) {
            return Ops.add(Ops.mul(w, in[0]), b);
        }
    }

    /** The second seed's net: f(x, y) = MatMul(x * z, y), z = [1]. */
    static final class MatMulNet extends Cell {
        final Parameter z = new Parameter(Tensor.of(1f), "z");

        @Override
        public Tensor construct(Tensor... in) {
            return Ops.matmul(Ops.mul(in[0], z), in[1]);
        }
    }

    static final Tensor X = Tensor.of(new float[][] {{0.8f, 0.6f, 0.2f}, {1.8f, 1.3f, 1.1f}});
    static final Tensor Y = Tensor.of(new float[][] {{0.11f, 3.3f, 1.1f}, {1.1f, 0.2f, 1.4f}, {1.1f, 2.2f, 0.3f}});

    // ---- seed 000: f(x) = w x + b --------------------------------------------------------------

    @Test
    void seedLinearGradientWrtInput() {
        Tensor g = new GradOperation().apply(new Linear(true)).tensor(Tensor.of(2f));
        assertEquals("[5.]", g.str());
    }

    @Test
    void seedLinearGetByList() {
        Linear net = new Linear(true);
        ParameterTuple params = net.trainableParamTuple();
        assertEquals(List.of("w", "b"), params.names());
        Value g = GradOperation.builder().getByList(true).build().apply(net, params).call(Tensor.of(3f));
        assertEquals("(Tensor(shape=[1], dtype=Float32, value= [ 3.00000000e+00]), "
                + "Tensor(shape=[1], dtype=Float32, value= [ 1.00000000e+00]))", g.toString());
        assertEquals("[3.]", g.get(0).tensor().str());
        assertEquals("[1.]", g.get(1).tensor().str());
    }

    @Test
    void seedLinearRequiresGradFalseIsExcludedAndConstant() {
        Linear net = new Linear(false);
        assertEquals(List.of(net.b), net.trainableParams());
        assertEquals(2, net.parameters().size());
        Value g = new GradOperation(false, true, false).apply(net, net.trainableParamTuple()).call(Tensor.of(3f));
        assertEquals("(Tensor(shape=[1], dtype=Float32, value= [ 1.00000000e+00]),)", g.toString());
        // w acts as a constant but the input gradient still sees its value
        assertEquals("[5.]", new GradOperation().apply(net).tensor(Tensor.of(3f)).str());
        // listing the frozen parameter explicitly gives zeros for it
        Value z = new GradOperation(false, true, false).apply(net, ParameterTuple.of(net.w, net.b)).call(Tensor.of(3f));
        assertClose(new double[] {0}, z.get(0).tensor(), 0);
        assertClose(new double[] {1}, z.get(1).tensor(), 0);
        net.w.setRequiresGrad(true);
        assertEquals(List.of(net.w, net.b), net.trainableParams());
    }

    @Test
    void seedLinearSensParam() {
        Tensor g = new GradOperation(false, false, true).apply(new Linear(true)).tensor(Tensor.of(3f), Tensor.of(10f));
        assertEquals("[50.]", g.str());
    }

    @Test
    void seedLinearStopGradientOnOutput() {
        Linear net = new Linear(true);
        Tensor g = new GradOperation().apply(xs -> Ops.stopGradient(net.construct(xs))).tensor(Tensor.of(2f));
        assertEquals("[0.]", g.str());
        Value gp = new GradOperation(false, true, false)
                .apply(xs -> Ops.stopGradient(net.construct(xs)), net.trainableParamTuple()).call(Tensor.of(2f));
        assertClose(new double[] {0}, gp.get(0).tensor(), 0);
        assertClose(new double[] {0}, gp.get(1).tensor(), 0);
    }

    // ---- seed 002: MatMul(x * z, y) -------------------------------------------------------------

    @Test
    void seedMatMulGradientWrtX() {
        Tensor g = new GradOperation().apply(new MatMulNet()).tensor(X, Y);
        assertEquals("[[4.5099998 2.7       3.6000001]\n [4.5099998 2.7       3.6000001]]", g.str());
        Value all = new GradOperation(true, false, false).apply(new MatMulNet()).call(X, Y);
        assertEquals(2, all.arity());
        assertEquals(g.toString(), all.get(0).toString());
        // d/dy sum(x y) = x^T ones: column sums of x, repeated along rows
        assertClose(new double[] {2.6, 2.6, 2.6, 1.9, 1.9, 1.9, 1.3, 1.3, 1.3}, new int[] {3, 3},
                all.get(1).tensor(), 1e-6);
    }

    @Test
    void seedMatMulGetByListZ() {
        MatMulNet net = new MatMulNet();
        Value g = new GradOperation(false, true, false).apply(net, net.trainableParamTuple()).call(X, Y);
        assertEquals("(Tensor(shape=[1], dtype=Float32, value= [ 2.15359993e+01]),)", g.toString());
    }

    @Test
    void seedMatMulSensParam() {
        Tensor sens = Tensor.of(new float[][] {{0.1f, 0.6f, 0.2f}, {0.8f, 1.3f, 1.1f}});
        Tensor g = new GradOperation(false, false, true).apply(new MatMulNet()).tensor(X, Y, sens);
        assertEquals("[[2.211 0.51  1.49 ]\n [5.588 2.68  4.07 ]]", g.str());
    }

    @Test
    void seedMatMulWithAndWithoutStopGradient() {
        Fn stopped = xs -> Ops.add(Ops.matmul(xs[0], xs[1]), Ops.stopGradient(Ops.matmul(xs[0], xs[1])));
        Fn both = xs -> Ops.add(Ops.matmul(xs[0], xs[1]), Ops.matmul(xs[0], xs[1]));
        assertClose(new double[] {4.51, 2.7, 3.6, 4.51, 2.7, 3.6}, new GradOperation().apply(stopped).tensor(X, Y), 1e-6);
        assertClose(new double[] {9.02, 5.4, 7.2, 9.02, 5.4, 7.2}, new GradOperation().apply(both).tensor(X, Y), 1e-6);
    }

    // ---- seed 001: the d2l autograd chapter -----------------------------------------------------

    @Test
    void seedD2lDotAndSums() {
        Tensor x = Tensor.arange(4.0);
        Fn y = xs -> Ops.mul(2.0, Ops.dot(xs[0], xs[0]));
        assertEquals("Tensor(shape=[], dtype=Float32, value= 28)", y.call(x).toString());
        Tensor g = new GradOperation().apply(y).tensor(x);
        assertClose(new double[] {0, 4, 8, 12}, g, 0);
        Tensor same = Ops.eq(g, Ops.mul(4.0, x));
        assertEquals("Tensor(shape=[4], dtype=Bool, value= [ True,  True,  True,  True])", same.toString());
        assertClose(new double[] {1, 1, 1, 1}, new GradOperation().apply(xs -> Ops.sum(xs[0])).tensor(x), 0);
        Tensor g2 = new GradOperation().apply(xs -> Ops.sum(Ops.mul(xs[0], xs[0]))).tensor(x);
        assertClose(new double[] {0, 2, 4, 6}, g2, 0);
        assertTrue(Ops.eq(g2, Ops.mul(2.0, x)).all());
    }

    @Test
    void seedD2lDetachedTupleOutput() {
        Tensor x = Tensor.arange(4.0);
        Fn f = xs -> {
            Tensor u = Ops.stopGradient(Ops.mul(xs[0], xs[0]));
            return Tuple.of(Ops.mul(u, xs[0]), u);
        };
        Value g = new GradOperation(true, false, false).apply(f).call(x);
        assertEquals(1, g.arity());
        assertTrue(Ops.eq(g.get(0).tensor(), Ops.mul(x, x)).all());
    }

    /** The seed's f(a): b = 2a; while norm(b) < 1000: b = 2b; c = b if sum(b) > 0 else 100 b. */
    static Tensor controlFlow(Tensor a) {
        Tensor b = Ops.mul(a, 2.0);
        while (Ops.norm(b).item() < 1000) {
            b = Ops.mul(b, 2.0);
        }
        return Ops.sum(b).item() > 0 ? b : Ops.mul(100.0, b);
    }

    @Test
    void seedD2lControlFlow() {
        int positives = 0;
        int negatives = 0;
        for (long seed = 0; seed < 12; seed++) {
            Tensor a = Tensor.randn(seed);
            assertEquals(0, a.rank());
            Tensor grad = new GradOperation().apply(xs -> controlFlow(xs[0])).tensor(a);
            Tensor ratio = Ops.div(controlFlow(a), a);
            // the gradient is the constant factor k = f(a)/a: a power of two, times 100 on the negative branch
            double k = grad.item();
            double log2 = Math.log(a.item() > 0 ? k : k / 100) / Math.log(2);
            assertEquals(Math.rint(log2), log2, 1e-9, "factor " + k + " for a = " + a.item());
            if (a.item() > 0) {
                positives++;
                assertTrue(Ops.eq(grad, ratio).all(), "grad " + grad + " vs f(a)/a " + ratio);
            } else {
                negatives++;
                assertEquals(ratio.item(), k, Math.abs(k) * 1e-6, "grad vs f(a)/a for a = " + a.item());
            }
        }
        assertTrue(positives > 0 && negatives > 0, "both branches exercised");
    }

    // ---- flags ----------------------------------------------------------------------------------

    /** g(x, y) = sum(x^2 y) + sum(w * x) + 0 * nothing with v unused. */
    static final class TwoInputNet extends Cell {
        final Parameter w = new Parameter(f64(new double[] {2, -1}, 2), "w");
        final Parameter v = new Parameter(f64(new double[] {7}, 1), "v");
        final Parameter u = new Parameter(f64(new double[] {0.5, 0.25}, 2), "u");

        @Override
        public Tensor construct(Tensor... in) {
            Tensor x = in[0];
            Tensor y = in[1];
            return Ops.add(Ops.sum(Ops.mul(Ops.mul(x, x), y)), Ops.sum(Ops.mul(Ops.mul(w, u), x)));
        }
    }

    @Test
    void flagsSelectWhatIsReturned() {
        TwoInputNet net = new TwoInputNet();
        Tensor x = f64(new double[] {1, 3}, 2);
        Tensor y = f64(new double[] {-2, 0.5}, 2);
        double[] dx = {2 * 1 * -2 + 2 * 0.5, 2 * 3 * 0.5 + -1 * 0.25};
        double[] dy = {1, 9};
        double[] dw = {0.5 * 1, 0.25 * 3};
        double[] du = {2 * 1, -1 * 3};
        // neither: first input only
        Value first = new GradOperation().apply(net).call(x, y);
        assertFalse(first.isTuple());
        assertClose(dx, first.tensor(), 1e-15);
        // getAll: every input
        Value all = new GradOperation(true, false, false).apply(net).call(x, y);
        assertEquals(2, all.arity());
        assertClose(dx, all.get(0).tensor(), 1e-15);
        assertClose(dy, all.get(1).tensor(), 1e-15);
        // getByList: ParameterTuple order, zeros for the unused v
        ParameterTuple order = ParameterTuple.of(net.u, net.v, net.w);
        Value byList = new GradOperation(false, true, false).apply(net, order).call(x, y);
        assertEquals(3, byList.arity());
        assertClose(du, byList.get(0).tensor(), 1e-15);
        assertClose(new double[] {0}, new int[] {1}, byList.get(1).tensor(), 0);
        assertClose(dw, byList.get(2).tensor(), 1e-15);
        // both: ((inputs), (params))
        Value both = new GradOperation(true, true, false).apply(net, order).call(x, y);
        assertEquals(2, both.arity());
        assertEquals(2, both.get(0).arity());
        assertEquals(3, both.get(1).arity());
        assertClose(dx, both.get(0).get(0).tensor(), 1e-15);
        assertClose(dy, both.get(0).get(1).tensor(), 1e-15);
        assertClose(du, both.get(1).get(0).tensor(), 1e-15);
        assertClose(dw, both.get(1).get(2).tensor(), 1e-15);
        // misuse of the flags is reported
        assertThrows(IllegalArgumentException.class, () -> new GradOperation(false, true, false).apply(net));
        assertThrows(IllegalArgumentException.class, () -> new GradOperation().apply(net, order));
    }

    @Test
    void tupleOutputsWithOnesAndTupleSens() {
        Tensor x = f64(new double[] {1, -2, 0.5}, 3);
        Fn f = xs -> Tuple.of(Ops.mul(xs[0], xs[0]), Ops.mul(3.0, xs[0]));
        // ones for every element: 2x + 3
        assertClose(new double[] {5, -1, 4}, new GradOperation().apply(f).tensor(x), 1e-15);
        // tuple sens: 2x s1 + 3 s2
        Tensor s1 = f64(new double[] {1, 0, 2}, 3);
        Tensor s2 = f64(new double[] {0, 1, -1}, 3);
        Tensor g = new GradOperation(false, false, true).apply(f).tensor(x, Tuple.of(s1, s2));
        assertClose(new double[] {2, 3, -1}, g, 1e-15);
        // nested tuple output with nested sens
        Fn nested = xs -> Tuple.of(Ops.sum(xs[0]), Tuple.of(Ops.mul(xs[0], 2.0)));
        Tensor gn = new GradOperation(false, false, true).apply(nested)
                .tensor(x, Tuple.of(Tensor.scalar(4, DType.FLOAT64), Tuple.of(s1)));
        assertClose(new double[] {6, 4, 8}, gn, 1e-15);
        // a Tensor sens for a tuple output is rejected
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new GradOperation(false, false, true).apply(f).call(x, s1));
        assertTrue(e.getMessage().contains("tuple"), e.getMessage());
    }

    @Test
    void wrongSensShapeNamesBothShapes() {
        Tensor x = f64(new double[] {1, 2, 3}, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new GradOperation(false, false, true).apply(xs -> Ops.mul(xs[0], 2.0))
                        .call(x, f64(new double[] {1, 2}, 2)));
        assertTrue(e.getMessage().contains("[2]") && e.getMessage().contains("[3]"), e.getMessage());
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
                () -> new GradOperation(false, false, true).apply(xs -> Ops.reshape(xs[0], 3, 1))
                        .call(x, f64(new double[] {1, 2, 3}, 1, 3)));
        assertTrue(e2.getMessage().contains("[1, 3]") && e2.getMessage().contains("[3, 1]"), e2.getMessage());
    }

    @Test
    void stopGradientCutsOnlyItsBranch() {
        Tensor x = f64(new double[] {1.5, -2}, 2);
        // d/dx [x * stop(x) + x] = stop(x) + 1
        Tensor g = new GradOperation().apply(xs -> Ops.add(Ops.mul(xs[0], Ops.stopGradient(xs[0])), xs[0])).tensor(x);
        assertClose(new double[] {2.5, -1}, g, 0);
        Tensor s = Ops.stopGradient(x);
        assertFalse(Ops.isTracked(s));
        assertClose(new double[] {1.5, -2}, s, 0);
    }

    @Test
    void valueAndGradComeFromOnePass() {
        int[] calls = {0};
        Fn f = xs -> {
            calls[0]++;
            return Ops.sum(Ops.exp(xs[0]));
        };
        Tensor x = f64(new double[] {0, 1, -1}, 3);
        GradOperation.ValueAndGrad vg = new GradOperation().apply(f).valueAndGrad(x);
        assertEquals(1, calls[0], "the function runs once");
        assertEquals(1 + Math.E + 1 / Math.E, vg.value().tensor().item(), 1e-15);
        assertClose(new double[] {1, Math.E, 1 / Math.E}, vg.grads().tensor(), 1e-15);
    }

    @Test
    void usingAnInputTwiceAccumulates() {
        Tensor x = f64(new double[] {3, -1}, 2);
        assertClose(new double[] {7, -1}, new GradOperation().apply(xs -> Ops.add(Ops.mul(xs[0], xs[0]), xs[0])).tensor(x), 0);
        assertClose(new double[] {2, 2}, new GradOperation().apply(xs -> Ops.add(xs[0], xs[0])).tensor(x), 0);
        // the same tensor passed as two arguments: each argument gets its own gradient
        Value g = new GradOperation(true, false, false).apply(xs -> Ops.mul(xs[0], xs[1])).call(x, x);
        assertClose(new double[] {3, -1}, g.get(0).tensor(), 0);
        assertClose(new double[] {3, -1}, g.get(1).tensor(), 0);
        // a parameter used in two places
        Parameter p = new Parameter(f64(new double[] {2}, 1), "p");
        Value gp = new GradOperation(false, true, false)
                .apply(xs -> Ops.add(Ops.mul(p, xs[0]), Ops.mul(p, p)), ParameterTuple.of(p)).call(f64(new double[] {5}, 1));
        assertClose(new double[] {5 + 4}, gp.get(0).tensor(), 0);
    }

    @Test
    void primitiveWithoutRuleFailsWhenReached() {
        Primitive noRule = Primitive.nonDifferentiable("myNeg", in -> Elementwise.unary(Elementwise.Unary.NEG, in[0]));
        assertFalse(noRule.differentiable());
        Tensor x = f64(new double[] {1, 2}, 2);
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> new GradOperation().apply(xs -> Ops.sum(noRule.apply(xs[0]))).call(x));
        assertTrue(e.getMessage().contains("no gradient rule for myNeg"), e.getMessage());
        // not reached (its input is a constant): no error
        Tensor constant = f64(new double[] {4, 5}, 2);
        Tensor g = new GradOperation().apply(xs -> Ops.mul(Ops.sum(xs[0]), Ops.sum(noRule.apply(constant)))).tensor(x);
        assertClose(new double[] {-9, -9}, g, 0);
        // forward still works, and the result is untracked on constant inputs
        Tensor y = noRule.apply(x);
        assertClose(new double[] {-1, -2}, y, 0);
        assertFalse(Ops.isTracked(y));
    }

    @Test
    void inputsAreNotModifiedAndResultsAreUntracked() {
        Tensor x = f64(new double[] {1, 2}, 2);
        Tensor g = new GradOperation().apply(xs -> Ops.sum(Ops.mul(xs[0], xs[0]))).tensor(x);
        assertFalse(Ops.isTracked(x));
        assertClose(new double[] {2, 4}, g, 0);
        assertFalse(Ops.isTracked(g), "a top-level gradient is a plain tensor");
        GradOperation.ValueAndGrad vg = new GradOperation().apply(xs -> Ops.sum(Ops.mul(xs[0], xs[0]))).valueAndGrad(x);
        assertFalse(Ops.isTracked(vg.value().tensor()), "a top-level value is a plain tensor");
        assertClose(new double[] {1, 2}, x, 0);
        GradOperation op = GradOperation.builder().getAll(true).sensParam(true).build();
        assertTrue(op.getAll() && op.sensParam() && !op.getByList());
    }

    @Test
    void resultsOfOneCallAreConstantsInTheNext() {
        // f(x) = w x^2, so df/dx = 2 w x; then h(c) = w c with c = df/dx passed as data:
        // dh/dw = c = 2 w x, not 2 w x + w d(2 w x)/dw = 4 w x
        Parameter w = new Parameter(f64(new double[] {3}, 1), "w");
        Tensor x = f64(new double[] {2}, 1);
        Tensor c = new GradOperation().apply(xs -> Ops.mul(w, Ops.mul(xs[0], xs[0]))).tensor(x);
        assertClose(new double[] {12}, c, 0);
        Value gw = new GradOperation(false, true, false).apply(xs -> Ops.mul(w, xs[0]), ParameterTuple.of(w)).call(c);
        assertClose(new double[] {12}, gw.get(0).tensor(), 0);
        // the same with an adversarial-style input x + eps * grad_x: the loss gradient w.r.t. w at the
        // perturbed point treats the perturbation as data
        Tensor xAdv = Ops.add(x, Ops.mul(c, 0.5)); // 2 + 6 = 8
        Value gAdv = new GradOperation(false, true, false)
                .apply(xs -> Ops.mul(w, Ops.mul(xs[0], xs[0])), ParameterTuple.of(w)).call(xAdv);
        assertClose(new double[] {64}, gAdv.get(0).tensor(), 0);
        // a value returned by valueAndGrad is data as well
        Value out = new GradOperation().apply(xs -> Ops.mul(w, xs[0])).valueAndGrad(x).value();
        Value gOut = new GradOperation(false, true, false).apply(xs -> Ops.mul(w, xs[0]), ParameterTuple.of(w))
                .call(out.tensor());
        assertClose(new double[] {6}, gOut.get(0).tensor(), 0);
    }
}
