package io.sparkgrad.examples.autograd;

import static io.sparkgrad.ops.Ops.add;
import static io.sparkgrad.ops.Ops.mul;
import static io.sparkgrad.ops.Ops.stopGradient;

import io.sparkgrad.Parameter;
import io.sparkgrad.ParameterTuple;
import io.sparkgrad.Tensor;
import io.sparkgrad.Tuple;
import io.sparkgrad.Value;
import io.sparkgrad.format.MindSporeRepr;
import io.sparkgrad.nn.Cell;
import io.sparkgrad.ops.GradOperation;
import java.util.List;

/**
 * Seed {@code 000_056961e8e5bb14b3} ("第四节：自动微分", section 4: automatic differentiation):
 * first derivatives of {@code f(x) = w*x + b} with {@code w = [5.0]}, {@code b = [3.0]}.
 *
 * <p>Prints, in the notebook's order: the gradient with respect to the input; the gradients with
 * respect to the weights (the tuple, then each element); the same with {@code w} frozen by
 * {@code requires_grad=False}; a gradient scaled by a sens of 10; and a gradient through
 * {@code stop_gradient}.
 *
 * <p>The notebook ran on an older MindSpore whose tensor repr had no space before positive numbers
 * and three exponent digits ({@code [3.00000000e+000]}); {@link #OLD_REPR} reproduces it.
 *
 * <p>The notebook's {@code Grad} wrappers are {@code nn.Cell}s here too; their {@code construct}
 * returns the gradient function's result, a Tensor or a tuple.
 */
public final class LinearFunctionGrad {
    /** The repr of the MindSpore release the notebook ran on: {@code [3.00000000e+000]}. */
    static final MindSporeRepr OLD_REPR = MindSporeRepr.builder().signSpace(false).exponentDigits(3).build();

    private LinearFunctionGrad() {
    }

    // ---- 一、求一阶导 (first derivative) ---------------------------------------------------------

    /** {@code class Function(nn.Cell)}: {@code f = w*x + b}, both weights trainable. */
    static final class Function extends Cell {
        // self.w = parameter(ms.Tensor(np.array([5.0]), ms.float32), name='w')
        final Parameter w = new Parameter(Tensor.of(5.0f), "w");
        // self.b = parameter(ms.Tensor(np.array([3.0]), ms.float32), name='b')
        final Parameter b = new Parameter(Tensor.of(3.0f), "b");

        @Override
        public Tensor construct(Tensor... inputs) {
            Tensor x = inputs[0];
            return add(mul(w, x), b); // f = self.w * x + self.b
        }
    }

    /** {@code class Grad(nn.Cell)} with {@code ops.GradOperation()}: the gradient wrt x. */
    static final class Grad extends Cell {
        private final Cell function;
        private final GradOperation grad = new GradOperation();

        Grad(Cell function) {
            this.function = function;
        }

        @Override
        public Value construct(Tensor... inputs) {
            Tensor x = inputs[0];
            GradOperation.GradFunction f = grad.apply(function);
            return f.call(x);
        }
    }

    /** Cell 1: {@code x = [2.0]; output = Grad(Function())(x)}; df/dx = w. */
    static Tensor gradWrtInput() {
        Tensor x = Tensor.of(2.0f);
        return new Grad(new Function()).construct(x).tensor();
    }

    // ---- 二、对权重求导 (derivative with respect to the weights) -----------------------------------

    /** {@code class Grad(nn.Cell)} with {@code ops.GradOperation(get_by_list=True)}. */
    static final class GradByList extends Cell {
        private final Cell function;
        private final ParameterTuple params;
        private final GradOperation grad = new GradOperation(false, true, false);

        GradByList(Cell function) {
            this.function = function;
            // 对权重求导要加上params这个参数: self.params = ms.ParameterTuple(function.trainable_params())
            this.params = new ParameterTuple(function.trainableParams());
        }

        @Override
        public Value construct(Tensor... inputs) {
            Tensor x = inputs[0];
            GradOperation.GradFunction f = grad.apply(function, params); // 加上params这个参数
            return f.call(x);
        }
    }

    /** Cell 2: {@code x = [3.0]}; (df/dw, df/db) = (x, 1). */
    static Tuple gradWrtWeights() {
        Tensor x = Tensor.of(3.0f);
        return (Tuple) new GradByList(new Function()).construct(x);
    }

    /** Cell 3's {@code class Function(nn.Cell)}: {@code w} has {@code requires_grad=False}. */
    static final class FunctionFrozenW extends Cell {
        // 将w的requires_grad设置为False
        final Parameter w = new Parameter(Tensor.of(5.0f), "w", false);
        final Parameter b = new Parameter(Tensor.of(3.0f), "b");

        @Override
        public Tensor construct(Tensor... inputs) {
            return add(mul(w, inputs[0]), b);
        }
    }

    /** Cell 3: only {@code b} is trainable, so the tuple holds df/db = 1 alone. */
    static Tuple gradWrtTrainableWeights() {
        Tensor x = Tensor.of(3.0f);
        return (Tuple) new GradByList(new FunctionFrozenW()).construct(x);
    }

    // ---- 三、缩放梯度 (scaling the gradient) -------------------------------------------------------

    /** {@code class Grad(nn.Cell)} with {@code ops.GradOperation(sens_param=True)}. */
    static final class GradWithSens extends Cell {
        private final Cell function;
        private final GradOperation grad = new GradOperation(false, false, true); // 将sen_param设置为True
        // 设置缩放指数: self.time = ms.Tensor(np.array([10]), ms.float32)
        private final Tensor time = Tensor.of(10f);

        GradWithSens(Cell function) {
            this.function = function;
        }

        @Override
        public Value construct(Tensor... inputs) {
            Tensor x = inputs[0];
            GradOperation.GradFunction f = grad.apply(function);
            return f.call(x, time); // 返回时参数加入缩放指数
        }
    }

    /**
     * Cell 4: {@code Function} is still the one of cell 3 (w frozen, which does not matter for
     * df/dx); the gradient is sens * w = 10 * 5.
     */
    static Tensor scaledGrad() {
        Tensor x = Tensor.of(3.0f);
        return new GradWithSens(new FunctionFrozenW()).construct(x).tensor();
    }

    // ---- 四、停止微分 (stopping the gradient) ------------------------------------------------------

    /** Cell 5's {@code class Function(nn.Cell)}: the output goes through {@code stop_gradient}. */
    static final class FunctionStopped extends Cell {
        final Parameter w = new Parameter(Tensor.of(5.0f), "w");
        final Parameter b = new Parameter(Tensor.of(3.0f), "b");

        @Override
        public Tensor construct(Tensor... inputs) {
            Tensor f = add(mul(w, inputs[0]), b);
            f = stopGradient(f); // 停止梯度更新: f = stop(f)
            return f;
        }
    }

    /** Cell 5: no gradient reaches x. */
    static Tensor stoppedGrad() {
        Tensor x = Tensor.of(3.0f);
        return new Grad(new FunctionStopped()).construct(x).tensor();
    }

    // ---- the notebook's output ---------------------------------------------------------------------

    /** Every line the notebook prints, in order. */
    public static List<String> lines() {
        Transcript out = new Transcript();
        // 一、求一阶导: print(output)
        out.print(gradWrtInput());
        // 二、对权重求导: print(output); print("对w的求导为：", output[0]); print("对b的求导为：", output[1])
        Tuple output = gradWrtWeights();
        out.print(OLD_REPR.repr(output));
        out.print("对w的求导为：", output.tensor(0));
        out.print("对b的求导为：", output.tensor(1));
        // requires_grad=False on w: print(output)
        out.print(OLD_REPR.repr(gradWrtTrainableWeights()));
        // 三、缩放梯度: print(output)
        out.print(scaledGrad());
        // 四、停止微分: print(output)
        out.print(stoppedGrad());
        return out.lines();
    }

    public static void main(String[] args) {
        Transcript.printAll(lines());
    }
}
