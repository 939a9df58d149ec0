package io.sparkgrad.spark;

import io.sparkgrad.DType;
import io.sparkgrad.ParameterTuple;
import io.sparkgrad.Tensor;
import io.sparkgrad.nn.Cell;

/**
 * The dtype a model computes in, and its inputs in that dtype. Rows are stored, and parameters
 * broadcast, checkpointed and reduced, as float32 everywhere; a model whose parameters are
 * {@link DType#FLOAT64} (for example {@link ModelSpec#withDtype}) gets its float32 rows widened
 * (exactly) to float64, so its forward pass, loss sums and backward pass carry no float32 rounding.
 * That is what full-batch L-BFGS needs: its line search compares objective values that differ by
 * 1e-9 of their size near the optimum, below the resolution of a float32 loss sum.
 */
public final class Precision {
    private Precision() {
    }

    /** The dtype of {@code model}'s first trainable parameter; FLOAT32 for a model without any. */
    public static DType of(Cell model) {
        ParameterTuple p = model.trainableParamTuple();
        return p.size() == 0 ? DType.FLOAT32 : p.get(0).dtype();
    }

    /** {@code data} as a tensor of {@code dtype}: wrapped as it is for FLOAT32, widened for FLOAT64. */
    public static Tensor wrap(float[] data, DType dtype, int... shape) {
        switch (dtype) {
            case FLOAT32:
                return Tensor.wrap(data, shape);
            case FLOAT64:
                double[] d = new double[data.length];
                for (int i = 0; i < d.length; i++) {
                    d[i] = data[i];
                }
                return Tensor.wrap(d, shape);
            default:
                throw new IllegalArgumentException("a model computes in FLOAT32 or FLOAT64, not " + dtype);
        }
    }
}
