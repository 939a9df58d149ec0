package io.sparkgrad.ops;

import static io.sparkgrad.TestSupport.f64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.DType;
import io.sparkgrad.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Bad inputs fail at the call with a message naming the op and the shapes or values involved. */
class ErrorMessageTest {

    private static String fails(Class<? extends Throwable> type, Executable call, String... fragments) {
        Throwable e = assertThrows(type, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' lacks '" + f + "'");
        }
        return e.getMessage();
    }

    @Test
    void broadcastMismatch() {
        fails(IllegalArgumentException.class, () -> Ops.add(Tensor.zeros(2, 3), Tensor.zeros(4)), "add", "[2, 3]", "[4]");
        fails(IllegalArgumentException.class, () -> Ops.mul(Tensor.zeros(2, 3), Tensor.zeros(3, 2)), "mul", "[2, 3]", "[3, 2]");
        fails(IllegalArgumentException.class, () -> Ops.broadcastTo(Tensor.zeros(3), 2, 4), "broadcastTo", "[3]", "[2, 4]");
    }

    @Test
    void matmulMismatch() {
        fails(IllegalArgumentException.class, () -> Ops.matmul(Tensor.zeros(2, 3), Tensor.zeros(4, 5)),
                "matmul", "[2, 3]", "[4, 5]", "3", "4");
        fails(IllegalArgumentException.class, () -> Ops.matmul(Tensor.zeros(2, 2, 3), Tensor.zeros(3, 3, 1)),
                "matmul", "[2]", "[3]");
        fails(IllegalArgumentException.class, () -> Ops.matmul(Tensor.zeros(3), Tensor.zeros(3, 1)), "matmul", "[3]");
    }

    @Test
    void dtypeMismatch() {
        fails(IllegalArgumentException.class, () -> Ops.add(Tensor.zeros(2), Tensor.zeros(DType.FLOAT64, 2)),
                "add", "Float32", "Float64", "[2]");
        fails(IllegalArgumentException.class, () -> Ops.matmul(Tensor.zeros(2, 2), Tensor.zeros(DType.FLOAT64, 2, 2)),
                "matmul", "Float32", "Float64");
        fails(IllegalArgumentException.class, () -> Ops.exp(Tensor.ones(DType.BOOL, 2)), "exp", "Bool");
    }

    @Test
    void gatherIndexOutOfRange() {
        fails(IndexOutOfBoundsException.class, () -> Ops.gather(Tensor.zeros(2, 3), Tensor.of(0f, 3f)),
                "gather", "index 3", "row 1", "[0, 3)");
        fails(IndexOutOfBoundsException.class, () -> Ops.gather(Tensor.zeros(2, 3), Tensor.of(-1f, 0f)),
                "gather", "index -1", "row 0");
        fails(IndexOutOfBoundsException.class, () -> Ops.gather(Tensor.zeros(2, 3), Tensor.of(0.5f, 0f)),
                "gather", "0.5");
        fails(IllegalArgumentException.class, () -> Ops.gather(Tensor.zeros(2, 3), Tensor.of(0f, 1f, 2f)),
                "gather", "[2, 3]", "[3]");
        fails(IndexOutOfBoundsException.class, () -> Ops.softmaxCrossEntropy(Tensor.zeros(2, 3), Tensor.of(0f, 7f)),
                "index 7", "[0, 3)");
    }

    @Test
    void wrongSensShape() {
        fails(IllegalArgumentException.class, () -> new GradOperation(false, false, true)
                .apply(xs -> Ops.sum(xs[0], false, 1)).call(Tensor.zeros(2, 3), Tensor.zeros(3)), "sens", "[3]", "[2]");
    }

    @Test
    void otherShapeErrors() {
        fails(IllegalArgumentException.class, () -> Ops.reshape(Tensor.zeros(2, 3), 4, 2), "reshape", "[2, 3]", "[4, 2]");
        fails(IllegalArgumentException.class, () -> Ops.concat(0, Tensor.zeros(2, 3), Tensor.zeros(2, 4)),
                "concat", "[2, 4]", "[2, 3]");
        fails(IllegalArgumentException.class, () -> Ops.slice(Tensor.zeros(2, 3), new int[] {1, 1}, new int[] {2, 1}),
                "slice", "[2, 3]");
        fails(IllegalArgumentException.class, () -> Ops.sum(Tensor.zeros(2, 3), false, 2), "sum", "axis 2", "rank 2");
        fails(IllegalArgumentException.class, () -> Ops.mseLoss(Tensor.zeros(2), Tensor.zeros(3)), "mseLoss", "[2]", "[3]");
        fails(IllegalArgumentException.class, () -> Ops.dot(Tensor.zeros(2), Tensor.zeros(3)), "dot", "[2]", "[3]");
        String m = fails(IllegalArgumentException.class, () -> Ops.where(Tensor.zeros(2), Tensor.zeros(2), Tensor.zeros(2)),
                "where", "Bool");
        assertEquals(m, m.strip());
        fails(IllegalArgumentException.class, () -> f64(new double[] {1, 2, 3}, 2), "3", "[2]");
    }
}
