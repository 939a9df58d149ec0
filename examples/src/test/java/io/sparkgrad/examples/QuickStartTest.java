package io.sparkgrad.examples;

import static io.sparkgrad.ops.Ops.add;
import static io.sparkgrad.ops.Ops.mul;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparkgrad.Parameter;
import io.sparkgrad.Tensor;
import io.sparkgrad.Value;
import io.sparkgrad.nn.Cell;
import io.sparkgrad.ops.GradOperation;
import org.junit.jupiter.api.Test;

/** The README's quick start, verbatim, with the output it claims. */
class QuickStartTest {
    static class Net extends Cell {                                   // f(x) = w*x + b
        Parameter w = new Parameter(Tensor.of(5f), "w"), b = new Parameter(Tensor.of(3f), "b");

        public Tensor construct(Tensor... x) {
            return add(mul(w, x[0]), b);
        }
    }

    @Test
    void theReadmeQuickStartPrintsWhatItSays() {
        Net net = new Net();
        Tensor dx = new GradOperation().apply(net).tensor(Tensor.of(2f));           // df/dx
        assertEquals("[5.]", dx.str());
        Value dw = new GradOperation(false, true, false).apply(net, net.trainableParamTuple()).call(Tensor.of(3f));
        assertEquals("(Tensor(shape=[1], dtype=Float32, value= [ 3.00000000e+00]), "
                + "Tensor(shape=[1], dtype=Float32, value= [ 1.00000000e+00]))", dw.toString());
    }
}
