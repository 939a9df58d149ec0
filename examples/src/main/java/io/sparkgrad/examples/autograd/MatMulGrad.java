package io.sparkgrad.examples.autograd;

import static io.sparkgrad.ops.Ops.add;
import static io.sparkgrad.ops.Ops.matmul;
import static io.sparkgrad.ops.Ops.mul;
import static io.sparkgrad.ops.Ops.stopGradient;

import io.sparkgrad.Parameter;
import io.sparkgrad.ParameterTuple;
import io.sparkgrad.Tensor;
import io.sparkgrad.Tuple;
import io.sparkgrad.Value;
import io.sparkgrad.nn.Cell;
import io.sparkgrad.ops.GradOperation;
import java.util.List;

/**
 * Seed {@code 002_15dc511635eb6c2d} (MindSpore r1.5 tutorial "自动微分"): first derivatives of
 * the network {@code f(x, y) = MatMul(x * z, y)} with a weight {@code z = [1.0]}.
 *
 * <p>Prints, in the notebook's order: the gradient with respect to {@code x}; the gradient with
 * respect to the weight {@code z} ({@code get_by_list}); the gradient with respect to {@code x}
 * scaled by a sens; and the gradient of {@code MatMul(x, y) + stop_gradient(MatMul(x, y))},
 * then of the same without {@code stop_gradient}.
 *
 * <p>With a sens of ones, {@code df/dx = ones @ y^T}: every row is the row sums of {@code y},
 * {@code [4.51, 2.7, 3.6]}, which float32 holds as {@code 4.5099998 2.7 3.6000001}. The notebook
 * showed the last two results rounded ({@code [[4.5 2.7 3.6]...}, {@code [[9.0 5.4 7.2]...});
 * this port prints what the computation gives, {@code 4.5099998} and {@code 9.0199995}.
 *
 * <p>The notebook's {@code GradNetWrtX} wrappers are {@code nn.Cell}s here too; their
 * {@code construct} returns the gradient function's result, a Tensor or a tuple.
 */
public final class MatMulGrad {
    private MatMulGrad() {
    }

    /** {@code x = Tensor([[0.8, 0.6, 0.2], [1.8, 1.3, 1.1]], dtype=mstype.float32)}. */
    static Tensor x() {
        return Tensor.of(new float[][] {{0.8f, 0.6f, 0.2f}, {1.8f, 1.3f, 1.1f}});
    }

    /** {@code y = Tensor([[0.11, 3.3, 1.1], [1.1, 0.2, 1.4], [1.1, 2.2, 0.3]], dtype=mstype.float32)}. */
    static Tensor y() {
        return Tensor.of(new float[][] {{0.11f, 3.3f, 1.1f}, {1.1f, 0.2f, 1.4f}, {1.1f, 2.2f, 0.3f}});
    }

    // ---- 对输入求一阶导 (first derivative with respect to the inputs) -----------------------------

    /** {@code class Net(nn.Cell)}: {@code out = MatMul(x * z, y)}. */
    static final class Net extends Cell {
        // self.z = Parameter(Tensor(np.array([1.0], np.float32)), name='z')
        final Parameter z = new Parameter(Tensor.of(1.0f), "z");

        @Override
        public Tensor construct(Tensor... inputs) {
            Tensor x = inputs[0];
            Tensor y = inputs[1];
            x = mul(x, z);                 // x = x * self.z
            Tensor out = matmul(x, y);     // out = self.matmul(x, y)
            return out;
        }
    }

    /** {@code class GradNetWrtX(nn.Cell)} with {@code ops.GradOperation()}. */
    static final class GradNetWrtX extends Cell {
        private final Cell net;
        private final GradOperation gradOp = new GradOperation();

        GradNetWrtX(Cell net) {
            this.net = net;
        }

        @Override
        public Value construct(Tensor... inputs) {
            Tensor x = inputs[0];
            Tensor y = inputs[1];
            GradOperation.GradFunction gradientFunction = gradOp.apply(net);
            return gradientFunction.call(x, y);
        }
    }

    /** Cell 1: {@code output = GradNetWrtX(Net())(x, y)}. */
    static Tensor gradWrtX() {
        return new GradNetWrtX(new Net()).construct(x(), y()).tensor();
    }

    // ---- 对权重求一阶导 (first derivative with respect to the weights) ----------------------------

    /** {@code class GradNetWrtX(nn.Cell)} with {@code ops.GradOperation(get_by_list=True)}. */
    static final class GradNetWrtParams extends Cell {
        private final Cell net;
        private final ParameterTuple params;
        private final GradOperation gradOp = new GradOperation(false, true, false);

        GradNetWrtParams(Cell net) {
            this.net = net;
            this.params = new ParameterTuple(net.trainableParams()); // ParameterTuple(net.trainable_params())
        }

        @Override
        public Value construct(Tensor... inputs) {
            Tensor x = inputs[0];
            Tensor y = inputs[1];
            GradOperation.GradFunction gradientFunction = gradOp.apply(net, params);
            return gradientFunction.call(x, y);
        }
    }

    /** Cell 2: the gradient with respect to {@code z}, {@code sum(x * (ones @ y^T))}, as a 1-tuple. */
    static Tuple gradWrtZ() {
        return (Tuple) new GradNetWrtParams(new Net()).construct(x(), y());
    }

    // ---- 梯度值缩放 (scaling the gradient) --------------------------------------------------------

    /** {@code class GradNetWrtX(nn.Cell)} with {@code ops.GradOperation(sens_param=True)}. */
    static final class GradNetWrtXWithSens extends Cell {
        private final Cell net;
        private final GradOperation gradOp = new GradOperation(false, false, true);
        // self.grad_wrt_output = Tensor([[0.1, 0.6, 0.2], [0.8, 1.3, 1.1]], dtype=mstype.float32)
        final Tensor gradWrtOutput = Tensor.of(new float[][] {{0.1f, 0.6f, 0.2f}, {0.8f, 1.3f, 1.1f}});

        GradNetWrtXWithSens(Cell net) {
            this.net = net;
        }

        @Override
        public Value construct(Tensor... inputs) {
            Tensor x = inputs[0];
            Tensor y = inputs[1];
            GradOperation.GradFunction gradientFunction = gradOp.apply(net);
            return gradientFunction.call(x, y, gradWrtOutput);
        }
    }

    /** Cell 3: {@code sens @ y^T}. */
    static Tensor scaledGradWrtX() {
        return new GradNetWrtXWithSens(new Net()).construct(x(), y()).tensor();
    }

    // ---- 停止计算梯度 (stopping the gradient) ------------------------------------------------------

    /** Cell 4's {@code class Net(nn.Cell)}: {@code out1 + stop_gradient(out2)}. */
    static final class NetStopGradient extends Cell {
        @Override
        public Tensor construct(Tensor... inputs) {
            Tensor x = inputs[0];
            Tensor y = inputs[1];
            Tensor out1 = matmul(x, y);
            Tensor out2 = matmul(x, y);
            out2 = stopGradient(out2);
            Tensor out = add(out1, out2);
            return out;
        }
    }

    /** The same network after deleting {@code out2 = stop_gradient(out2)}. */
    static final class NetWithoutStopGradient extends Cell {
        @Override
        public Tensor construct(Tensor... inputs) {
            Tensor x = inputs[0];
            Tensor y = inputs[1];
            Tensor out1 = matmul(x, y);
            Tensor out2 = matmul(x, y);
            Tensor out = add(out1, out2);
            return out;
        }
    }

    /** Cell 4: only {@code out1} contributes, so the result equals cell 1's. */
    static Tensor gradWithStopGradient() {
        return new GradNetWrtX(new NetStopGradient()).construct(x(), y()).tensor();
    }

    /** Cell 5: {@code out1} and {@code out2} contribute equally, twice cell 4's result. */
    static Tensor gradWithoutStopGradient() {
        return new GradNetWrtX(new NetWithoutStopGradient()).construct(x(), y()).tensor();
    }

    // ---- the notebook's output ---------------------------------------------------------------------

    /** Every line the notebook prints, in order. */
    public static List<String> lines() {
        Transcript out = new Transcript();
        out.print(gradWrtX());                 // 对输入求一阶导: print(output)
        out.print(gradWrtZ());                 // 对权重求一阶导: print(output), a tuple of reprs
        out.print(scaledGradWrtX());           // 梯度值缩放: print(output)
        out.print(gradWithStopGradient());     // 停止计算梯度: print(output)
        out.print(gradWithoutStopGradient());  // without stop_gradient: print(output)
        return out.lines();
    }

    public static void main(String[] args) {
        Transcript.printAll(lines());
    }
}
