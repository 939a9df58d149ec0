package io.sparkgrad.nn;

import io.sparkgrad.Tensor;
import io.sparkgrad.ops.Ops;

/** {@code max(x, 0)}. */
public final class ReLU extends Cell {
    @Override
    public Tensor construct(Tensor... inputs) {
        return Ops.relu(inputs[0]);
    }
}
