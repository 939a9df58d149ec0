package io.sparkgrad.bench;

import io.sparkgrad.Tensor;
import io.sparkgrad.nn.Cell;
import io.sparkgrad.ops.Ops;

/**
 * A what-if, not an engine change: {@code relu(x) = x * mask} with the constant 0/1 mask
 * {@code x > 0} computed by a plain float loop instead of {@code cast(gt(x, 0))}. The values and
 * the gradient are the same as {@link io.sparkgrad.nn.ReLU}'s (the mask is a constant there too,
 * since comparisons are Bool and not differentiable); only the kernel that builds the mask differs.
 * Used by {@link MlpStepBench#stepPlainMaskRelu} to show what a specialised comparison kernel would
 * buy the MLP step.
 */
final class PlainMaskReLU extends Cell {
    @Override
    public Tensor construct(Tensor... inputs) {
        Tensor x = inputs[0];
        float[] v = x.floatStorage();
        float[] m = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            m[i] = v[i] > 0f ? 1f : 0f;
        }
        return Ops.mul(x, Tensor.wrap(m, x.shape()));
    }
}
