package io.sparkgrad.nn;

import static io.sparkgrad.TestSupport.assertClose;
import static io.sparkgrad.TestSupport.f64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.Parameter;
import io.sparkgrad.ParameterTuple;
import io.sparkgrad.Tensor;
import io.sparkgrad.TestSupport;
import io.sparkgrad.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Optimizer updates against hand-computed formulas; state export/import; flat-buffer steps. */
class OptimizerTest {
    private static final double[] P0 = {1.0, -2.0};
    private static final double[] G1 = {0.5, -1.0};
    private static final double[] G2 = {-0.25, 2.0};

    private static Parameter param() {
        return new Parameter(f64(P0, 2), "p");
    }

    private static Tuple grads(double[] g) {
        return Tuple.of(f64(g, 2));
    }

    @Test
    void sgdPlain() {
        Parameter p = param();
        SGD sgd = new SGD(ParameterTuple.of(p), 0.1);
        sgd.step(grads(G1));
        assertClose(new double[] {1 - 0.05, -2 + 0.1}, p, 1e-15);
        sgd.step(grads(G2));
        assertClose(new double[] {1 - 0.05 + 0.025, -2 + 0.1 - 0.2}, p, 1e-15);
        assertEquals(2, sgd.stepCount());
    }

    @Test
    void sgdMomentumNesterovDampeningWeightDecay() {
        double lr = 0.1;
        double m = 0.9;
        for (int j = 0; j < 2; j++) {
            // momentum: buf1 = g1, buf2 = m buf1 + g2
            Parameter p = param();
            SGD sgd = SGD.builder(ParameterTuple.of(p), lr).momentum(m).build();
            sgd.step(grads(G1));
            sgd.step(grads(G2));
            double buf2 = m * G1[j] + G2[j];
            assertEquals(P0[j] - lr * G1[j] - lr * buf2, p.getFlat(j), 1e-15, "momentum");

            // Nesterov: d = g + m buf
            Parameter q = param();
            SGD nes = SGD.builder(ParameterTuple.of(q), lr).momentum(m).nesterov(true).build();
            nes.step(grads(G1));
            nes.step(grads(G2));
            double d1 = G1[j] + m * G1[j];
            double d2 = G2[j] + m * buf2;
            assertEquals(P0[j] - lr * d1 - lr * d2, q.getFlat(j), 1e-15, "nesterov");

            // dampening: buf2 = m buf1 + (1 - dampening) g2 (the first step is undampened)
            Parameter r = param();
            SGD damp = SGD.builder(ParameterTuple.of(r), lr).momentum(m).dampening(0.5).build();
            damp.step(grads(G1));
            damp.step(grads(G2));
            assertEquals(P0[j] - lr * G1[j] - lr * (m * G1[j] + 0.5 * G2[j]), r.getFlat(j), 1e-15, "dampening");

            // weight decay: g + wd p, with p the current value
            Parameter s = param();
            SGD wd = SGD.builder(ParameterTuple.of(s), lr).weightDecay(0.01).build();
            wd.step(grads(G1));
            double p1 = P0[j] - lr * (G1[j] + 0.01 * P0[j]);
            wd.step(grads(G2));
            assertEquals(p1 - lr * (G2[j] + 0.01 * p1), s.getFlat(j), 1e-15, "weight decay");
        }
        assertThrows(IllegalArgumentException.class,
                () -> SGD.builder(ParameterTuple.of(param()), 0.1).nesterov(true).build());
        assertThrows(IllegalArgumentException.class, () -> new SGD(ParameterTuple.of(param()), -1));
    }

    /** Two Adam steps by the formulas of Kingma and Ba, with optional L2 or decoupled weight decay. */
    private static double[] adamByHand(double lr, double b1, double b2, double eps, double wd, boolean decoupled) {
        double[] out = new double[2];
        for (int j = 0; j < 2; j++) {
            double p = P0[j];
            double m = 0;
            double v = 0;
            double[][] gs = {G1, G2};
            for (int t = 1; t <= 2; t++) {
                double g = gs[t - 1][j];
                if (decoupled) {
                    p = p - lr * wd * p;
                } else {
                    g = g + wd * p;
                }
                m = b1 * m + (1 - b1) * g;
                v = b2 * v + (1 - b2) * g * g;
                double mhat = m / (1 - Math.pow(b1, t));
                double vhat = v / (1 - Math.pow(b2, t));
                p = p - lr * mhat / (Math.sqrt(vhat) + eps);
            }
            out[j] = p;
        }
        return out;
    }

    @Test
    void adamFirstTwoSteps() {
        Parameter p = param();
        Adam adam = new Adam(ParameterTuple.of(p), 0.01);
        adam.step(grads(G1));
        // after one step Adam moves each coordinate by about lr * sign(g)
        assertClose(new double[] {1 - 0.01, -2 + 0.01}, p, 1e-8);
        adam.step(grads(G2));
        assertClose(adamByHand(0.01, 0.9, 0.999, 1e-8, 0, false), p, 1e-14);
        assertEquals("adam", adam.kind());

        Parameter q = param();
        Adam l2 = Adam.builder(ParameterTuple.of(q), 0.05).beta1(0.8).beta2(0.99).eps(1e-6).weightDecay(0.1).build();
        l2.step(grads(G1));
        l2.step(grads(G2));
        assertClose(adamByHand(0.05, 0.8, 0.99, 1e-6, 0.1, false), q, 1e-14);
    }

    @Test
    void adamWFirstTwoSteps() {
        Parameter p = param();
        AdamW adamw = new AdamW(ParameterTuple.of(p), 0.01);
        adamw.step(grads(G1));
        adamw.step(grads(G2));
        assertClose(adamByHand(0.01, 0.9, 0.999, 1e-8, 0.01, true), p, 1e-14);
        assertEquals("adamw", adamw.kind());
        Parameter q = param();
        Adam built = AdamW.builder(ParameterTuple.of(q), 0.1).weightDecay(0.5).build();
        assertTrue(built instanceof AdamW);
        built.step(grads(G1));
        built.step(grads(G2));
        assertClose(adamByHand(0.1, 0.9, 0.999, 1e-8, 0.5, true), q, 1e-14);
    }

    private static List<Parameter> floatParams(long seed) {
        return List.of(new Parameter(Tensor.randn(seed, 3, 2), "w"), new Parameter(Tensor.randn(seed + 1, 2), "b"));
    }

    private static List<Tensor> floatGrads(int step) {
        return List.of(Tensor.randn(100 + step, 3, 2), Tensor.randn(200 + step, 2));
    }

    private static void checkResume(Function<ParameterTuple, Optimizer> make) {
        List<Parameter> a = floatParams(1);
        Optimizer uninterrupted = make.apply(new ParameterTuple(a));
        for (int s = 0; s < 3; s++) {
            uninterrupted.step(floatGrads(s));
        }
        // checkpoint: parameter values and optimizer state
        float[] savedParams = uninterrupted.parameters().flatten();
        var state = uninterrupted.exportState();
        for (int s = 3; s < 7; s++) {
            uninterrupted.step(floatGrads(s));
        }
        // restore into a fresh optimizer over fresh parameters and continue
        List<Parameter> b = floatParams(99);
        ParameterTuple restoredParams = new ParameterTuple(b);
        restoredParams.load(savedParams);
        Optimizer restored = make.apply(restoredParams);
        restored.importState(state);
        assertEquals(3, restored.stepCount());
        for (int s = 3; s < 7; s++) {
            restored.step(floatGrads(s));
        }
        assertEquals(uninterrupted.stepCount(), restored.stepCount());
        for (int i = 0; i < a.size(); i++) {
            TestSupport.assertBitwiseEqual(a.get(i), b.get(i));
        }
    }

    @Test
    void restoredOptimizerContinuesBitwiseIdentically() {
        checkResume(ps -> new Adam(ps, 0.01));
        checkResume(ps -> new AdamW(ps, 0.02));
        checkResume(ps -> SGD.builder(ps, 0.1).momentum(0.9).nesterov(true).weightDecay(1e-3).build());
        checkResume(ps -> SGD.builder(ps, 0.1).momentum(0.5).dampening(0.2).build());
        // the state is a copy: later steps do not change an exported state
        Parameter p = param();
        Adam adam = new Adam(ParameterTuple.of(p), 0.01);
        adam.step(grads(G1));
        var s = adam.exportState();
        double m0 = s.slot("m/0")[0];
        adam.step(grads(G2));
        assertEquals(m0, s.slot("m/0")[0]);
        assertEquals(1, s.step());
        assertThrows(IllegalArgumentException.class, () -> new SGD(ParameterTuple.of(param()), 0.1).importState(s));
        var tooBig = new io.sparkgrad.nn.OptimizerState("adam", 1, 0.01, java.util.Map.of("m/0", new double[5]));
        assertThrows(IllegalArgumentException.class, () -> new Adam(ParameterTuple.of(param()), 0.01).importState(tooBig));
        var badName = new io.sparkgrad.nn.OptimizerState("adam", 1, 0.01, java.util.Map.of("m", new double[2]));
        assertThrows(IllegalArgumentException.class, () -> new Adam(ParameterTuple.of(param()), 0.01).importState(badName));
    }

    @Test
    void flatBufferStepEqualsTupleStep() {
        List<Function<ParameterTuple, Optimizer>> makers = List.of(
                ps -> new Adam(ps, 0.01), ps -> new AdamW(ps, 0.01), ps -> SGD.builder(ps, 0.1).momentum(0.9).build());
        for (Function<ParameterTuple, Optimizer> make : makers) {
            List<Parameter> a = floatParams(3);
            List<Parameter> b = floatParams(3);
            Optimizer byTuple = make.apply(new ParameterTuple(a));
            Optimizer byFlat = make.apply(new ParameterTuple(b));
            for (int s = 0; s < 4; s++) {
                List<Tensor> g = floatGrads(s);
                byTuple.step(Tuple.of(g));
                float[] flat = new float[8];
                System.arraycopy(g.get(0).toFloatArray(), 0, flat, 0, 6);
                System.arraycopy(g.get(1).toFloatArray(), 0, flat, 6, 2);
                byFlat.step(flat);
            }
            for (int i = 0; i < a.size(); i++) {
                TestSupport.assertBitwiseEqual(a.get(i), b.get(i));
            }
        }
        Optimizer o = new SGD(new ParameterTuple(floatParams(1)), 0.1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> o.step(new float[3]));
        assertTrue(e.getMessage().contains("3") && e.getMessage().contains("8"), e.getMessage());
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
                () -> o.step(List.of(Tensor.zeros(2, 3), Tensor.zeros(2))));
        assertTrue(e2.getMessage().contains("[2, 3]") && e2.getMessage().contains("[3, 2]"), e2.getMessage());
    }

    @Test
    void parameterTupleFlattenAndLoad() {
        List<Parameter> ps = floatParams(4);
        ParameterTuple t = new ParameterTuple(ps);
        assertEquals(8, t.numel());
        float[] flat = t.flatten();
        assertEquals((float) ps.get(1).getFlat(1), flat[7]);
        float[] changed = flat.clone();
        changed[0] = 42;
        t.load(changed);
        assertEquals(42, ps.get(0).getFlat(0));
        assertThrows(IllegalArgumentException.class, () -> t.load(new float[7]));
        assertThrows(IllegalArgumentException.class, () -> ParameterTuple.of(ps.get(0), ps.get(0)));
        List<Parameter> copy = new ArrayList<>(ps);
        assertEquals(copy, t.asList());
    }
}
