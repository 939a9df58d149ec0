package io.sparkgrad.kernel;

import io.sparkgrad.DType;
import io.sparkgrad.Tensor;
import io.sparkgrad.shape.NdIndex;
import io.sparkgrad.shape.Shapes;
import java.util.Arrays;

/**
 * Batched matrix products: checks the shapes, broadcasts the batch axes and hands each product
 * to the {@link Blas} backend chosen for its size.
 */
public final class MatMul {
    private MatMul() {
    }

    /**
     * {@code op(a) @ op(b)} over the last two axes, broadcasting the leading (batch) axes;
     * {@code op} transposes the last two axes when its flag is set.
     */
    public static Tensor matmul(Tensor a, Tensor b, boolean transA, boolean transB) {
        if (a.rank() < 2 || b.rank() < 2) {
            throw new IllegalArgumentException("matmul: needs rank >= 2 operands, got shapes " + Shapes.str(a.shape())
                    + " and " + Shapes.str(b.shape()) + " (use dot for vectors)");
        }
        if (a.dtype() != b.dtype() || !a.dtype().isFloating()) {
            throw new IllegalArgumentException("matmul: dtypes " + a.dtype() + " " + Shapes.str(a.shape()) + " and "
                    + b.dtype() + " " + Shapes.str(b.shape()) + " must be the same floating type");
        }
        int[] as = a.shape();
        int[] bs = b.shape();
        int ar = as.length;
        int br = bs.length;
        int m = transA ? as[ar - 1] : as[ar - 2];
        int k = transA ? as[ar - 2] : as[ar - 1];
        int kb = transB ? bs[br - 1] : bs[br - 2];
        int n = transB ? bs[br - 2] : bs[br - 1];
        if (k != kb) {
            throw new IllegalArgumentException("matmul: shapes " + Shapes.str(as) + (transA ? "^T" : "") + " and "
                    + Shapes.str(bs) + (transB ? "^T" : "") + " do not match: inner dimensions " + k + " and " + kb);
        }
        int[] abatch = Arrays.copyOf(as, ar - 2);
        int[] bbatch = Arrays.copyOf(bs, br - 2);
        int[] batch = Shapes.broadcast("matmul", abatch, bbatch);
        int[] outShape = Arrays.copyOf(batch, batch.length + 2);
        outShape[batch.length] = m;
        outShape[batch.length + 1] = n;
        Blas blas = Blas.forSize(m, n, k);
        boolean f64 = a.dtype() == DType.FLOAT64;
        Object c = Storage.allocate(a.dtype(), Shapes.size(batch) * m * n);
        NdIndex it = NdIndex.over(batch, Shapes.broadcastStrides(abatch, batch), Shapes.broadcastStrides(bbatch, batch));
        for (int co = 0; !it.done(); co += m * n, it.next()) {
            int ao = it.offset(0) * m * k;
            int bo = it.offset(1) * k * n;
            if (f64) {
                blas.dgemm(transA, transB, m, n, k, a.doubleStorage(), ao, b.doubleStorage(), bo, (double[]) c, co);
            } else {
                blas.sgemm(transA, transB, m, n, k, a.floatStorage(), ao, b.floatStorage(), bo, (float[]) c, co);
            }
        }
        return Storage.wrap(a.dtype(), c, outShape);
    }
}
