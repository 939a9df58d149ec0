package io.sparkgrad.ops;

import static io.sparkgrad.TestSupport.assertBitwiseEqual;
import static io.sparkgrad.TestSupport.f64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.DType;
import io.sparkgrad.Tensor;
import io.sparkgrad.TestSupport;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The fused primitives (relu, reluGrad, sigmoid, logSoftmax, the two cross-entropies) against the
 * composites they replaced, written here with the elementary primitives: bitwise in FLOAT32 where
 * the kernel promises it, within rounding for bceWithLogits; and the recorded graphs hold one
 * node per fused op, no comparison and no Bool mask.
 */
class FusedPrimitivesTest {

    /** Float32 values over a wide range, with 0, -0, ties and large magnitudes. */
    private static Tensor floats(long seed, int... shape) {
        Random r = new Random(seed);
        int n = io.sparkgrad.shape.Shapes.size(shape);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            switch (i % 7) {
                case 0: v[i] = 0f; break;
                case 1: v[i] = -0f; break;
                case 2: v[i] = (float) (r.nextGaussian() * 40); break;
                default: v[i] = (float) r.nextGaussian() * 3;
            }
        }
        return Tensor.wrap(v, shape);
    }

    private static Tensor oldRelu(Tensor x) {
        return Ops.mul(x, Ops.cast(Ops.gt(x, 0), x.dtype()));
    }

    private static Tensor oldSigmoid(Tensor x) {
        Tensor pos = Ops.ge(x, 0);
        Tensor e = Ops.exp(Ops.where(pos, Ops.neg(x), x));
        Tensor den = Ops.add(e, 1);
        return Ops.where(pos, Ops.div(1, den), Ops.div(e, den));
    }

    private static Tensor oldLogSoftmax(Tensor x, int axis) {
        Tensor shifted = Ops.sub(x, Ops.max(x, true, axis));
        return Ops.sub(shifted, Ops.log(Ops.sum(Ops.exp(shifted), true, axis)));
    }

    private static Tensor oldBce(Tensor x, Tensor t) {
        Tensor pos = Ops.ge(x, 0);
        Tensor zero = Tensor.scalar(0, x.dtype());
        return Ops.add(Ops.sub(Ops.where(pos, x, zero), Ops.mul(x, t)),
                Ops.log(Ops.add(Ops.exp(Ops.where(pos, Ops.neg(x), x)), 1)));
    }

    @Test
    void float32ValuesAreBitwiseThoseOfTheComposites() {
        Tensor x = floats(1, 6, 7);
        assertBitwiseEqual(oldRelu(x), Ops.relu(x));
        assertBitwiseEqual(oldSigmoid(x), Ops.sigmoid(x));
        assertBitwiseEqual(oldLogSoftmax(x, 1), Ops.logSoftmax(x, 1));
        assertBitwiseEqual(oldLogSoftmax(x, 0), Ops.logSoftmax(x, 0));
        Tensor x3 = floats(2, 2, 5, 3);
        assertBitwiseEqual(oldLogSoftmax(x3, 1), Ops.logSoftmax(x3, 1));
        assertBitwiseEqual(oldLogSoftmax(x3, -1), Ops.logSoftmax(x3, -1));
        Tensor labels = Tensor.of(0f, 6f, 3f, 3f, 1f, 5f);
        assertBitwiseEqual(Ops.neg(Ops.gather(oldLogSoftmax(x, 1), labels)),
                Ops.softmaxCrossEntropy(x, labels, Ops.Reduction.NONE));
        // the relu of a negative is -0, as x * 0 was, and NaN stays NaN
        Tensor r = Ops.relu(Tensor.of(-2f, Float.NaN, 3f));
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(r.floatStorage()[0]));
        assertTrue(Float.isNaN(r.floatStorage()[1]));
    }

    @Test
    void bceWithLogitsIsTheCompositeWithinRounding() {
        Tensor x = floats(3, 40);
        Random rnd = new Random(4);
        float[] t = new float[40];
        for (int i = 0; i < t.length; i++) {
            t[i] = i % 3 == 0 ? rnd.nextFloat() : i % 2;
        }
        Tensor tt = Tensor.wrap(t, 40);
        Tensor fused = Ops.bceWithLogits(x, tt, Ops.Reduction.NONE);
        Tensor old = oldBce(x, tt);
        for (int i = 0; i < 40; i++) {
            double xv = x.getFlat(i);
            double want = Math.max(xv, 0) - xv * t[i] + Math.log1p(Math.exp(-Math.abs(xv)));
            assertEquals(want, fused.getFlat(i), Math.ulp((float) want), "element " + i);
            // the composite lost log1p's precision only below float rounding of 1 + e
            assertEquals(old.getFlat(i), fused.getFlat(i), 4 * Math.ulp((float) Math.max(1, Math.abs(want))), "element " + i);
        }
        // Float64: the same formula, exactly
        Tensor x64 = f64(new double[] {-40, -1.5, 0, 2, 35}, 5);
        Tensor t64 = f64(new double[] {1, 0, 1, 0.25, 1}, 5);
        Tensor b = Ops.bceWithLogits(x64, t64, Ops.Reduction.NONE);
        for (int i = 0; i < 5; i++) {
            double xv = x64.getFlat(i);
            double want = Math.max(xv, 0) - xv * t64.getFlat(i) + Math.log1p(Math.exp(-Math.abs(xv)));
            assertEquals(want, b.getFlat(i), 0, "element " + i);
        }
        // a confident, correct logit keeps its tiny loss (log(1 + e) rounded it to 0)
        assertEquals(Math.exp(-35), b.getFlat(4), 1e-30);
    }

    @Test
    void sigmoidSelectIsBitwiseTheCompositeAtTheEdgesInBothPrecisions() {
        double[] edges = {0.0, -0.0, Double.MIN_VALUE, -Double.MIN_VALUE, 1e-40, -1e-40, 0.5, -0.5, 16.5, -16.5,
            88.7, -88.7, 103.9, -103.9, 745.2, -745.2, 1e300, -1e300, Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY};
        for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Tensor x = Ops.cast(Tensor.wrap(edges, edges.length), dt);
            assertBitwiseEqual(oldSigmoid(x), Ops.sigmoid(x));
            assertTrue(Double.isNaN(Ops.sigmoid(Ops.cast(Tensor.wrap(new double[] {Double.NaN}, 1), dt)).getFlat(0)));
        }
    }

    @Test
    void eachFusedOpRecordsOneNodeAndNoComparison() {
        Tensor x = floats(5, 4, 3);
        Tensor labels = Tensor.of(0f, 2f, 1f, 1f);
        try (GradScope scope = GradScope.open()) {
            Tensor w = scope.watch(x);
            assertEquals(Set.of("relu"), TestSupport.recordedOps(Ops.relu(w)));
            assertEquals(Set.of("sigmoid"), TestSupport.recordedOps(Ops.sigmoid(w)));
            assertEquals(Set.of("logSoftmax"), TestSupport.recordedOps(Ops.logSoftmax(w, 1)));
            assertEquals(Set.of("softmaxCrossEntropy"),
                    TestSupport.recordedOps(Ops.softmaxCrossEntropy(w, labels, Ops.Reduction.NONE)));
            assertEquals(Set.of("bceWithLogits"), TestSupport.recordedOps(Ops.bceWithLogits(w, x, Ops.Reduction.NONE)));
        }
        // the gradient of a gradient through relu (reluGrad differentiated in g)
        Tensor gx = new GradOperation().apply(a -> new GradOperation().apply(b -> Ops.sum(Ops.mul(Ops.relu(b[0]), b[0])))
                .tensor(a[0])).tensor(f64(new double[] {-1, 2, 0.5}, 3));
        // d/dx (relu(x) + x (x > 0)) = 2 (x > 0)
        TestSupport.assertClose(new double[] {0, 2, 2}, gx, 0);
    }

    @Test
    void gradientsHaveTheirClosedForms() {
        // d bce / dx = sigmoid(x) - t; d bce / dt = -x
        Tensor x = f64(new double[] {-30, -0.5, 0, 1.5, 30}, 5);
        Tensor t = f64(new double[] {1, 0, 0.5, 1, 0}, 5);
        io.sparkgrad.Value g = new GradOperation(true, false, false)
                .apply(a -> Ops.bceWithLogits(a[0], a[1], Ops.Reduction.SUM)).call(x, t);
        for (int i = 0; i < 5; i++) {
            double xv = x.getFlat(i);
            double s = 1 / (1 + Math.exp(-xv));
            assertEquals(s - t.getFlat(i), g.get(0).tensor().getFlat(i), 1e-15);
            assertEquals(-xv, g.get(1).tensor().getFlat(i), 0);
        }
        // sigmoid'(x) = s(x) s(-x) keeps its precision at large positive x
        Tensor gs = new GradOperation().apply(a -> Ops.sum(Ops.sigmoid(a[0]))).tensor(f64(new double[] {40}, 1));
        double e = Math.exp(-40);
        assertEquals(e / ((1 + e) * (1 + e)), gs.getFlat(0), e * 1e-12);
        // d sce / dx = (softmax(x) - onehot) / N
        Tensor logits = f64(new double[] {1, 2, 3, -1, 0, 4}, 2, 3);
        Tensor gl = new GradOperation().apply(a -> Ops.softmaxCrossEntropy(a[0], Tensor.of(2f, 0f))).tensor(logits);
        double z0 = Math.exp(1) + Math.exp(2) + Math.exp(3);
        double z1 = Math.exp(-1) + Math.exp(0) + Math.exp(4);
        TestSupport.assertClose(new double[] {
            Math.exp(1) / z0 / 2, Math.exp(2) / z0 / 2, (Math.exp(3) / z0 - 1) / 2,
            (Math.exp(-1) / z1 - 1) / 2, 1 / z1 / 2, Math.exp(4) / z1 / 2}, gl, 1e-15);
    }

    @Test
    void badInputsNameTheOpAndShapes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Primitives.RELU_GRAD.apply(Tensor.zeros(DType.FLOAT32, 2, 3), Tensor.zeros(DType.FLOAT32, 3)));
        assertTrue(e.getMessage().startsWith("reluGrad: ") && e.getMessage().contains("[2, 3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Ops.bceWithLogits(Tensor.zeros(DType.FLOAT32, 2), Tensor.zeros(DType.FLOAT64, 2)));
        assertTrue(e.getMessage().startsWith("bceWithLogits: "), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Ops.logSoftmax(Tensor.zeros(DType.FLOAT32, 2, 0), 1));
        assertTrue(e.getMessage().startsWith("logSoftmax: "), e.getMessage());
        assertThrows(IndexOutOfBoundsException.class,
                () -> Ops.softmaxCrossEntropy(Tensor.zeros(DType.FLOAT32, 2, 3), Tensor.of(0f, 3f)));
    }
}
