package io.sparkgrad.nn;

import io.sparkgrad.Tensor;
import io.sparkgrad.ops.Ops;

/** {@code 1 / (1 + exp(-x))}, computed stably. */
public final class Sigmoid extends Cell {
    @Override
    public Tensor construct(Tensor... inputs) {
        return Ops.sigmoid(inputs[0]);
    }
}
