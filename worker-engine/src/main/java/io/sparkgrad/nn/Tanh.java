package io.sparkgrad.nn;

import io.sparkgrad.Tensor;
import io.sparkgrad.ops.Ops;

/** {@code tanh(x)}. */
public final class Tanh extends Cell {
    @Override
    public Tensor construct(Tensor... inputs) {
        return Ops.tanh(inputs[0]);
    }
}
