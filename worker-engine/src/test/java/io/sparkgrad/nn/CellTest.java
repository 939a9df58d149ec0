package io.sparkgrad.nn;

import static io.sparkgrad.TestSupport.assertClose;
import static io.sparkgrad.TestSupport.f64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.DType;
import io.sparkgrad.Parameter;
import io.sparkgrad.Tensor;
import io.sparkgrad.TestSupport;
import io.sparkgrad.Value;
import io.sparkgrad.check.GradientChecker;
import io.sparkgrad.ops.GradOperation;
import io.sparkgrad.ops.Ops;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Cells: parameter discovery and names, training mode, Dense, Dropout and WithLossCell. */
class CellTest {

    static final class TwoLayer extends Cell {
        final Dense fc1 = Dense.builder(3, 4).seed(1).build();
        final Dense fc2 = Dense.builder(4, 2).seed(2).build();
        final Parameter scale = new Parameter(Tensor.ones(1), "scale", false);
        final Dropout drop = new Dropout(0.5, 3);

        @Override
        public Tensor construct(Tensor... in) {
            return Ops.mul(fc2.apply(drop.apply(Ops.relu(fc1.apply(in[0])))), scale);
        }
    }

    static final class Outer extends Cell {
        final TwoLayer body = new TwoLayer();
        final List<Cell> heads = List.of(new Dense(2, 2), new Dense(2, 1));
        final Dense tied;

        Outer() {
            tied = body.fc1; // the same cell reachable twice: listed once, under its first name
        }

        @Override
        public Tensor construct(Tensor... in) {
            return heads.get(1).apply(heads.get(0).apply(body.apply(in[0])));
        }
    }

    @Test
    void hierarchicalNamesInDeclarationOrder() {
        TwoLayer net = new TwoLayer();
        assertEquals(List.of("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "scale"),
                List.copyOf(net.parametersAndNames().keySet()));
        assertEquals(List.of("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"), net.trainableParamNames());
        assertEquals(4, net.trainableParams().size());
        assertEquals(List.of(net.fc1.weight(), net.fc1.bias(), net.fc2.weight(), net.fc2.bias()),
                net.trainableParamTuple().asList());
        assertEquals(List.of("fc1", "fc2", "drop"), List.copyOf(net.cellsAndNames().keySet()));

        Outer outer = new Outer();
        assertEquals(List.of("body.fc1.weight", "body.fc1.bias", "body.fc2.weight", "body.fc2.bias", "body.scale",
                "heads.0.weight", "heads.0.bias", "heads.1.weight", "heads.1.bias"),
                List.copyOf(outer.parametersAndNames().keySet()));

        SequentialCell seq = new SequentialCell(new Dense(3, 4), new ReLU(), new Dense(4, 1));
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), List.copyOf(seq.parametersAndNames().keySet()));
        assertEquals(3, seq.size());
        // the parameter objects are the layers' own
        assertTrue(seq.parameters().get(0) == ((Dense) seq.get(0)).weight());
    }

    @Test
    void setTrainPropagatesToEverySubCell() {
        Outer outer = new Outer();
        assertTrue(outer.body.drop.isTraining());
        outer.setTrain(false);
        assertFalse(outer.isTraining());
        assertFalse(outer.body.isTraining());
        assertFalse(outer.body.drop.isTraining());
        assertFalse(outer.heads.get(1).isTraining());
        outer.setTrain(true);
        assertTrue(outer.body.drop.isTraining());
        // eval mode: dropout is the identity, so two calls agree
        outer.setTrain(false);
        Tensor x = Tensor.randn(5, 6, 3);
        TestSupport.assertBitwiseEqual(outer.construct(x), outer.construct(x));
    }

    @Test
    void denseShapesValuesAndSeededInit() {
        Dense d = Dense.builder(3, 2).seed(9).build();
        assertArrayEquals(new int[] {2, 3}, d.weight().shape());
        assertArrayEquals(new int[] {2}, d.bias().shape());
        assertArrayEquals(new int[] {5, 2}, d.construct(Tensor.zeros(5, 3)).shape());
        assertArrayEquals(new int[] {2}, d.construct(Tensor.zeros(3)).shape());
        assertArrayEquals(new int[] {4, 5, 2}, d.construct(Tensor.zeros(4, 5, 3)).shape());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.construct(Tensor.zeros(5, 4)));
        assertTrue(e.getMessage().contains("[5, 4]") && e.getMessage().contains("3"), e.getMessage());
        // same seed, same weights; another seed, other weights
        TestSupport.assertBitwiseEqual(d.weight(), Dense.builder(3, 2).seed(9).build().weight());
        TestSupport.assertBitwiseEqual(d.bias(), Dense.builder(3, 2).seed(9).build().bias());
        assertFalse(Ops.eq(d.weight(), Dense.builder(3, 2).seed(10).build().weight()).all());
        // HeUniform(sqrt 5) and the bias init both give Uniform(-1/sqrt(in), 1/sqrt(in))
        Dense big = Dense.builder(16, 64).seed(4).build();
        double bound = 1 / Math.sqrt(16);
        double maxW = Ops.max(Ops.abs(big.weight())).item();
        assertTrue(maxW <= bound && maxW > 0.9 * bound, "max |w| " + maxW + " vs bound " + bound);
        assertTrue(Ops.max(Ops.abs(big.bias())).item() <= bound);
        // y = x W^T + b with explicit initialisers
        Dense c = Dense.builder(2, 3).weightInit((s, dt, sh) -> Tensor.wrap(new float[] {1, 2, 3, 4, 5, 6}, sh))
                .biasInit(Initializer.constant(0.5)).build();
        assertClose(new double[] {1 * 1 + 2 * -1 + 0.5, 3 - 4 + 0.5, 5 - 6 + 0.5, 10 + 0.5, 30 + 0.5, 50 + 0.5},
                new int[] {2, 3}, c.construct(Tensor.of(new float[][] {{1, -1}, {10, 0}})), 0);
        Dense noBias = Dense.builder(2, 3).hasBias(false).build();
        assertNull(noBias.bias());
        assertEquals(List.of("weight"), noBias.trainableParamNames());
        Dense act = Dense.builder(2, 2).weightInit(Initializer.constant(-1)).biasInit(Initializer.zeros())
                .activation(new ReLU()).build();
        assertClose(new double[] {0, 0, 2, 2}, act.construct(Tensor.of(new float[][] {{1, 1}, {-1, -1}})), 0);
        assertEquals(DType.FLOAT64, Dense.builder(2, 2).dtype(DType.FLOAT64).build().weight().dtype());
    }

    @Test
    void denseParameterGradientsPassFiniteDifferences() {
        Dense d = Dense.builder(3, 2).seed(3).dtype(DType.FLOAT64).activation(new Tanh()).build();
        GradientChecker.builder().build()
                .checkParams(d, d.trainableParamTuple(), Tensor.randn(8, DType.FLOAT64, 4, 3)).assertPassed();
        SequentialCell mlp = new SequentialCell(Dense.builder(3, 5).seed(1).dtype(DType.FLOAT64).build(), new Sigmoid(),
                Dense.builder(5, 2).seed(2).dtype(DType.FLOAT64).build());
        WithLossCell withLoss = new WithLossCell(mlp, LossCell.softmaxCrossEntropy());
        Tensor labels = Tensor.of(0f, 1f, 1f);
        GradientChecker.builder().build()
                .checkParams(xs -> withLoss.construct(xs[0], labels), withLoss.trainableParamTuple(),
                        Tensor.randn(9, DType.FLOAT64, 3, 3)).assertPassed();
    }

    @Test
    void dropoutSeededTrainAndEval() {
        double p = 0.3;
        Dropout drop = new Dropout(p, 11);
        Tensor x = Tensor.ones(200_000);
        Tensor y = drop.construct(x);
        float scale = (float) (1 / (1 - p));
        int kept = 0;
        for (int i = 0; i < y.size(); i++) {
            float v = (float) y.getFlat(i);
            assertTrue(v == 0f || v == scale, "element " + i + " is " + v);
            kept += v != 0 ? 1 : 0;
        }
        double frac = kept / 200_000.0;
        assertEquals(1 - p, frac, 0.005); // about 5 standard deviations
        assertEquals(1.0, Ops.mean(y).item(), 0.01); // inverted dropout keeps the expectation
        // reproducible: the same seed gives the same mask stream; the next call draws a new mask
        Dropout twin = new Dropout(p, 11);
        TestSupport.assertBitwiseEqual(y, twin.construct(x));
        Tensor y2 = drop.construct(x);
        assertFalse(Ops.eq(y, y2).all());
        drop.reseed(11);
        TestSupport.assertBitwiseEqual(y, drop.construct(x));
        // the gradient is the mask times the scale
        Dropout g1 = new Dropout(p, 5);
        Dropout g2 = new Dropout(p, 5);
        Tensor small = Tensor.randn(1, 50);
        Tensor out = g1.construct(small);
        Tensor grad = new GradOperation().apply(g2).tensor(small);
        for (int i = 0; i < 50; i++) {
            assertEquals(out.getFlat(i) == 0 ? 0 : scale, grad.getFlat(i), 0);
        }
        // eval mode is the identity (the same tensor)
        drop.setTrain(false);
        assertTrue(drop.construct(x) == x);
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1.0, 1));
        assertTrue(new Dropout(0, 1).construct(x) == x);
    }

    @Test
    void withLossCell() {
        Dense d = Dense.builder(2, 1).weightInit(Initializer.constant(2)).biasInit(Initializer.constant(-1)).build();
        WithLossCell net = new WithLossCell(d, LossCell.mse());
        Tensor x = Tensor.of(new float[][] {{1, 0}, {0.5f, 0.5f}, {1, 1}});
        Tensor target = Tensor.of(new float[][] {{1}, {2}, {2}});
        // predictions 1, 1, 3: errors 0, -1, 1 -> mean square 2/3
        assertEquals(2.0 / 3, net.construct(x, target).item(), 1e-7);
        assertTrue(net.backbone() == d);
        assertEquals(List.of("backbone.weight", "backbone.bias"), net.trainableParamNames());
        // d/dw mean((x w + b - t)^2) = 2/N sum(err * x) = 2/3 * ([0,0] - [0.5,0.5] + [1,1]) = [1/3, 1/3]
        Value g = new GradOperation(false, true, false).apply(net, net.trainableParamTuple()).call(x, target);
        assertClose(new double[] {1.0 / 3, 1.0 / 3}, new int[] {1, 2}, g.get(0).tensor(), 1e-7);
        assertClose(new double[] {0}, new int[] {1}, g.get(1).tensor(), 1e-7);
        assertThrows(IllegalArgumentException.class, () -> net.construct(x));
        // the other losses against closed forms
        Tensor logits = f64(new double[] {1, 2, 3, 0, 0, 0}, 2, 3);
        double lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
        assertEquals(((lse - 3) + Math.log(3)) / 2,
                LossCell.softmaxCrossEntropy().construct(logits, Tensor.of(2f, 1f)).item(), 1e-12);
        Tensor z = f64(new double[] {2, -1}, 2);
        Tensor t = f64(new double[] {1, 0}, 2);
        double bce = (Math.log(1 + Math.exp(-2)) + Math.log(1 + Math.exp(-1))) / 2;
        assertEquals(bce, LossCell.bceWithLogits().construct(z, t).item(), 1e-12);
        assertEquals(bce * 2, LossCell.bceWithLogits(Ops.Reduction.SUM).construct(z, t).item(), 1e-12);
    }

    static final class ArrayNet extends Cell {
        final Cell[] layers = {Dense.builder(2, 3).seed(1).dtype(DType.FLOAT64).build(), new Tanh(),
            Dense.builder(3, 1).seed(2).dtype(DType.FLOAT64).build()};
        final Parameter offset = new Parameter(f64(new double[] {0.25}, 1), "offset");

        @Override
        public Tensor construct(Tensor... in) {
            Tensor x = in[0];
            for (Cell c : layers) {
                x = c.apply(x);
            }
            return Ops.add(x, offset);
        }
    }

    @Test
    void arrayFieldsAndParameterOnlyGradientCheck() {
        ArrayNet net = new ArrayNet();
        assertEquals(List.of("layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias", "offset"),
                List.copyOf(net.parametersAndNames().keySet()));
        Tensor data = Tensor.randn(4, DType.FLOAT64, 5, 2);
        // a function with no inputs at all: only the parameters are checked
        GradientChecker.Report r = GradientChecker.builder().build()
                .checkParams(xs -> Ops.sum(Ops.square(net.construct(data))), net.trainableParamTuple());
        r.assertPassed();
        assertEquals(6 + 3 + 3 + 1 + 1, r.checked());
        assertThrows(IllegalArgumentException.class, () -> GradientChecker.builder().build()
                .checkParams(new Dense(2, 1), new Dense(2, 1).trainableParamTuple(), Tensor.zeros(1, 2)));
    }

    @Test
    void activationCells() {
        Tensor x = f64(new double[] {-2, 0.5}, 2);
        assertClose(new double[] {0, 0.5}, new ReLU().construct(x), 0);
        assertClose(new double[] {Math.tanh(-2), Math.tanh(0.5)}, new Tanh().construct(x), 1e-16);
        assertClose(new double[] {1 / (1 + Math.exp(2)), 1 / (1 + Math.exp(-0.5))}, new Sigmoid().construct(x), 1e-16);
    }
}
