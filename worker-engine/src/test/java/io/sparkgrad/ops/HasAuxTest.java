package io.sparkgrad.ops;

import static io.sparkgrad.TestSupport.assertBitwiseEqual;
import static io.sparkgrad.TestSupport.assertClose;
import static io.sparkgrad.TestSupport.f64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.Parameter;
import io.sparkgrad.ParameterTuple;
import io.sparkgrad.Tensor;
import io.sparkgrad.Tuple;
import io.sparkgrad.Value;
import org.junit.jupiter.api.Test;

/**
 * MindSpore's {@code value_and_grad(..., has_aux=True)} / JAX's {@code has_aux}: the function
 * returns {@code (loss, aux...)}; only the loss is differentiated, the aux values come back as they
 * were computed.
 */
class HasAuxTest {
    private static final double[] XV = {0.5, -1.5, 2.0};
    private static final double[] YV = {3.0, 0.25, -1.0};

    /** loss = sum(x * y); aux = (x * x * x, y + 1): aux would change the gradient if it were swept. */
    private static Value lossAndAux(Tensor... in) {
        Tensor x = in[0];
        Tensor y = in[1];
        return Tuple.of(Ops.sum(Ops.mul(x, y)), Ops.mul(Ops.mul(x, x), x), Ops.add(y, 1.0));
    }

    @Test
    void getAllDifferentiatesTheLossOnlyAndReturnsTheAuxUnchanged() {
        GradOperation op = GradOperation.builder().getAll(true).hasAux(true).build();
        assertTrue(op.hasAux());
        GradOperation.ValueAndGrad r = op.apply(HasAuxTest::lossAndAux).valueAndGrad(f64(XV, 3), f64(YV, 3));
        // d/dx sum(x y) = y, d/dy = x; the aux x^3 would add 3x^2 to the first if differentiated
        assertEquals(2, r.grads().arity());
        assertClose(YV, r.grads().get(0).tensor(), 0);
        assertClose(XV, r.grads().get(1).tensor(), 0);
        Value v = r.value();
        assertEquals(3, v.arity());
        assertClose(new double[] {0.5 * 3.0 - 1.5 * 0.25 - 2.0}, v.get(0).tensor(), 1e-15);
        assertClose(new double[] {0.125, -3.375, 8.0}, v.get(1).tensor(), 0);
        assertClose(new double[] {4.0, 1.25, 0.0}, v.get(2).tensor(), 0);
        for (int i = 0; i < 3; i++) {
            assertFalse(Ops.isTracked(v.get(i).tensor()), "top level: value element " + i + " is detached");
        }
        // call() gives the gradients alone, the same as valueAndGrad's
        Value g = op.apply(HasAuxTest::lossAndAux).call(f64(XV, 3), f64(YV, 3));
        assertBitwiseEqual(r.grads().get(0).tensor(), g.get(0).tensor());
        assertBitwiseEqual(r.grads().get(1).tensor(), g.get(1).tensor());
    }

    @Test
    void theGradientsEqualThoseOfTheLossAlone() {
        Tensor x = f64(XV, 3);
        Tensor y = f64(YV, 3);
        Value withAux = GradOperation.builder().getAll(true).hasAux(true).build().apply(HasAuxTest::lossAndAux).call(x, y);
        Value lossOnly = new GradOperation(true, false, false).apply(in -> lossAndAux(in).get(0)).call(x, y);
        assertBitwiseEqual(lossOnly.get(0).tensor(), withAux.get(0).tensor());
        assertBitwiseEqual(lossOnly.get(1).tensor(), withAux.get(1).tensor());
        // without hasAux the same function's whole tuple is differentiated: the aux terms count
        Value swept = new GradOperation(true, false, false).apply(HasAuxTest::lossAndAux).call(x, y);
        assertClose(new double[] {3.0 + 3 * 0.25, 0.25 + 3 * 2.25, -1.0 + 3 * 4.0}, swept.get(0).tensor(), 1e-12);
    }

    @Test
    void getByListWithAux() {
        Parameter w = new Parameter(Tensor.of(5f), "w");
        Parameter b = new Parameter(Tensor.of(3f), "b");
        ParameterTuple params = ParameterTuple.of(w, b);
        GradOperation op = GradOperation.builder().getByList(true).hasAux(true).build();
        // loss = w x + b; aux = (w x, w * w) — the aux uses w, but must not add to its gradient
        Fn fn = in -> {
            Tensor wx = Ops.mul(w, in[0]);
            return Tuple.of(Ops.add(wx, b), wx, Ops.mul(w, w));
        };
        GradOperation.ValueAndGrad r = op.apply(fn, params).valueAndGrad(Tensor.of(3f));
        assertEquals("[3.]", r.grads().get(0).tensor().str());
        assertEquals("[1.]", r.grads().get(1).tensor().str());
        assertEquals("[18.]", r.value().get(0).tensor().str());
        assertEquals("[15.]", r.value().get(1).tensor().str());
        assertEquals("[25.]", r.value().get(2).tensor().str());
        for (int i = 0; i < 3; i++) {
            assertFalse(Ops.isTracked(r.value().get(i).tensor()), "value element " + i + " is detached");
        }
        assertFalse(Ops.isTracked(r.grads().get(0).tensor()));
        // and both flags: ((input grads), (param grads))
        Value both = GradOperation.builder().getAll(true).getByList(true).hasAux(true).build()
                .apply(fn, params).call(Tensor.of(3f));
        assertEquals("[5.]", both.get(0).get(0).tensor().str());
        assertEquals("[3.]", both.get(1).get(0).tensor().str());
        assertEquals("[1.]", both.get(1).get(1).tensor().str());
    }

    @Test
    void theSensMatchesTheLossAlone() {
        GradOperation op = GradOperation.builder().sensParam(true).hasAux(true).build();
        // loss = x * x (shape [3]), aux = 3 x (also [3]); the sens is for the loss only
        Fn fn = in -> Tuple.of(Ops.mul(in[0], in[0]), Ops.mul(in[0], 3.0));
        double[] sv = {1.0, 2.0, -3.0};
        GradOperation.ValueAndGrad r = op.apply(fn).valueAndGrad(f64(XV, 3), f64(sv, 3));
        assertClose(new double[] {2 * 0.5 * 1.0, 2 * -1.5 * 2.0, 2 * 2.0 * -3.0}, r.grads().tensor(), 0);
        assertClose(new double[] {1.5, -4.5, 6.0}, r.value().get(1).tensor(), 0);
        // a sens shaped like the whole (loss, aux) tuple is refused: it must match the loss
        Value tupleSens = Tuple.of(f64(sv, 3), f64(sv, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> op.apply(fn).call(f64(XV, 3), tupleSens));
        assertTrue(e.getMessage().contains("the sens is a tuple"), e.getMessage());
        // a sens of the wrong shape for the loss names the loss's shape
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> op.apply(fn).call(f64(XV, 3), f64(new double[] {1, 2}, 2)));
        assertTrue(shape.getMessage().contains("[3]"), shape.getMessage());
    }

    @Test
    void hasAuxNeedsATupleOfAtLeastTwo() {
        GradOperation op = GradOperation.builder().hasAux(true).build();
        IllegalArgumentException tensor = assertThrows(IllegalArgumentException.class,
                () -> op.apply(in -> Ops.sum(in[0])).call(f64(XV, 3)));
        assertTrue(tensor.getMessage().contains("hasAux") && tensor.getMessage().contains("got a Tensor"),
                tensor.getMessage());
        IllegalArgumentException one = assertThrows(IllegalArgumentException.class,
                () -> op.apply(in -> Tuple.of(Ops.sum(in[0]))).call(f64(XV, 3)));
        assertTrue(one.getMessage().contains("got a tuple of 1"), one.getMessage());
    }

    @Test
    void nestedTheAuxStaysTrackedForTheEnclosingCall() {
        // outer(x) = sum(aux of inner(x)) with inner = (sum(x), x * x): d/dx = 2x, through the aux
        GradOperation inner = GradOperation.builder().hasAux(true).build();
        GradOperation outer = new GradOperation();
        Tensor g = outer.apply(xs -> {
            GradOperation.ValueAndGrad r = inner.apply(in -> Tuple.of(Ops.sum(in[0]), Ops.mul(in[0], in[0])))
                    .valueAndGrad(xs[0]);
            assertTrue(Ops.isTracked(r.value().get(1).tensor()), "nested: the aux stays in the graph");
            return Ops.sum(r.value().get(1).tensor());
        }).tensor(f64(XV, 3));
        assertClose(new double[] {1.0, -3.0, 4.0}, g, 0);
        // and the inner gradient differentiated again: d/dx sum(x^3)' = 6x (a Hessian-vector product)
        Tensor h = outer.apply(xs -> {
            Value gi = inner.apply(in -> Tuple.of(Ops.sum(Ops.mul(Ops.mul(in[0], in[0]), in[0])), in[0]))
                    .call(xs[0]);
            return Ops.sum(gi.tensor());
        }).tensor(f64(XV, 3));
        assertClose(new double[] {3.0, -9.0, 12.0}, h, 1e-12);
    }
}
