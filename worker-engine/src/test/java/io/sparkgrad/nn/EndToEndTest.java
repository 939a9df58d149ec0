package io.sparkgrad.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.ParameterTuple;
import io.sparkgrad.Tensor;
import io.sparkgrad.ops.GradOperation;
import io.sparkgrad.ops.Ops;
import org.junit.jupiter.api.Test;

/** A 2-layer MLP learns an XOR-like problem with Adam. */
class EndToEndTest {
    private static final int N = 64;

    @Test
    void mlpLearnsXorWithAdam() {
        // points in the four quadrants, at least 0.2 from both axes; label = sign(x0) != sign(x1)
        Tensor u = Tensor.uniform(7, 0.2, 1.0, N, 2);
        Tensor s = Tensor.uniform(8, -1, 1, N, 2);
        float[] xs = new float[N * 2];
        float[] ys = new float[N];
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < 2; j++) {
                xs[2 * i + j] = (float) (u.getFlat(2 * i + j) * Math.signum(s.getFlat(2 * i + j)));
            }
            ys[i] = (xs[2 * i] > 0) != (xs[2 * i + 1] > 0) ? 1 : 0;
        }
        Tensor x = Tensor.wrap(xs, N, 2);
        Tensor y = Tensor.of(ys);
        assertTrue(Ops.sum(y).item() > 10 && Ops.sum(y).item() < N - 10, "both classes present");

        SequentialCell mlp = new SequentialCell(
                Dense.builder(2, 16).seed(1).activation(new Tanh()).build(),
                Dense.builder(16, 2).seed(2).build());
        WithLossCell net = new WithLossCell(mlp, LossCell.softmaxCrossEntropy());
        ParameterTuple params = net.trainableParamTuple();
        Adam adam = new Adam(params, 0.05);
        GradOperation.GradFunction grad = new GradOperation(false, true, false).apply(net, params);

        double first = net.construct(x, y).item();
        double loss = first;
        for (int step = 0; step < 300; step++) {
            GradOperation.ValueAndGrad vg = grad.valueAndGrad(x, y);
            loss = vg.value().tensor().item();
            adam.step(vg.grads());
        }
        loss = net.construct(x, y).item();
        assertTrue(first > 0.5, "initial loss " + first);
        assertTrue(loss < 0.05, "final loss " + loss + " (initial " + first + ")");

        Tensor logits = mlp.construct(x);
        int correct = 0;
        for (int i = 0; i < N; i++) {
            int pred = logits.at(i, 1) > logits.at(i, 0) ? 1 : 0;
            correct += pred == (int) ys[i] ? 1 : 0;
        }
        assertEquals(N, correct, "accuracy");
    }

    @Test
    void zeroInitialisedLogisticRegressionMatchesClosedFormFirstStep() {
        // linearly separable: label = x0 + 2 x1 > 0
        Tensor x = Tensor.randn(3, 40, 2);
        float[] ys = new float[40];
        for (int i = 0; i < 40; i++) {
            ys[i] = x.at(i, 0) + 2 * x.at(i, 1) > 0 ? 1 : 0;
        }
        Tensor y = Tensor.wrap(ys, 40, 1);
        Dense lin = Dense.builder(2, 1).weightInit(Initializer.zeros()).biasInit(Initializer.zeros()).build();
        WithLossCell net = new WithLossCell(lin, LossCell.bceWithLogits());
        ParameterTuple params = net.trainableParamTuple();
        GradOperation.GradFunction grad = new GradOperation(false, true, false).apply(net, params);
        // at w = 0 every logit is 0, so dL/dw = mean((sigmoid(0) - y) x) = mean((0.5 - y) x)
        var g0 = grad.call(x, y);
        double[] want = new double[2];
        double wantB = 0;
        for (int i = 0; i < 40; i++) {
            want[0] += (0.5 - ys[i]) * x.at(i, 0) / 40;
            want[1] += (0.5 - ys[i]) * x.at(i, 1) / 40;
            wantB += (0.5 - ys[i]) / 40;
        }
        assertEquals(want[0], g0.get(0).tensor().at(0, 0), 1e-6);
        assertEquals(want[1], g0.get(0).tensor().at(0, 1), 1e-6);
        assertEquals(wantB, g0.get(1).tensor().getFlat(0), 1e-6);
        SGD sgd = new SGD(params, 1.0);
        for (int step = 0; step < 200; step++) {
            sgd.step(grad.call(x, y));
        }
        Tensor logits = lin.construct(x);
        for (int i = 0; i < 40; i++) {
            assertEquals(ys[i] == 1, logits.at(i, 0) > 0, "sample " + i);
        }
        assertTrue(net.construct(x, y).item() < 0.1);
    }
}
