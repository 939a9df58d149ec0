package io.sparkgrad.kernel;

/**
 * Pure-Java GEMM. Not a naive triple loop: B's rows are copied once into their own arrays and
 * each output row is accumulated in a scratch row, so the inner loop reads and writes two arrays
 * at the same index, which the JIT vectorises (JDK 17 does not vectorise {@code y[yo+j] += a*x[xo+j]}
 * when the offsets differ, since it cannot rule out aliasing). The sum over {@code k} runs in
 * order, one rounding per step: exactly what a sequential float loop gives.
 *
 * <p>{@link #sgemm} and {@link #dgemm} are the same code in two element types: every line of
 * them is the product's hot loop or the O(n*k) packing that feeds it, which a shared generic
 * version would run through boxed or reflective array access.
 */
public final class JavaBlas implements Blas {
    public static final JavaBlas INSTANCE = new JavaBlas();

    private JavaBlas() {
    }

    @Override
    public String name() {
        return "java";
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k,
                      float[] a, int aOff, float[] b, int bOff, float[] c, int cOff) {
        float[][] brows = new float[k][];
        for (int p = 0; p < k; p++) {
            float[] row = new float[n];
            if (!transB) {
                System.arraycopy(b, bOff + p * n, row, 0, n);
            } else {
                for (int j = 0; j < n; j++) {
                    row[j] = b[bOff + j * k + p];
                }
            }
            brows[p] = row;
        }
        float[] acc = new float[n];
        for (int i = 0; i < m; i++) {
            java.util.Arrays.fill(acc, 0f);
            for (int p = 0; p < k; p++) {
                float av = transA ? a[aOff + p * m + i] : a[aOff + i * k + p];
                float[] row = brows[p];
                for (int j = 0; j < n; j++) {
                    acc[j] += av * row[j];
                }
            }
            System.arraycopy(acc, 0, c, cOff + i * n, n);
        }
    }

    @Override
    public void dgemm(boolean transA, boolean transB, int m, int n, int k,
                      double[] a, int aOff, double[] b, int bOff, double[] c, int cOff) {
        double[][] brows = new double[k][];
        for (int p = 0; p < k; p++) {
            double[] row = new double[n];
            if (!transB) {
                System.arraycopy(b, bOff + p * n, row, 0, n);
            } else {
                for (int j = 0; j < n; j++) {
                    row[j] = b[bOff + j * k + p];
                }
            }
            brows[p] = row;
        }
        double[] acc = new double[n];
        for (int i = 0; i < m; i++) {
            java.util.Arrays.fill(acc, 0d);
            for (int p = 0; p < k; p++) {
                double av = transA ? a[aOff + p * m + i] : a[aOff + i * k + p];
                double[] row = brows[p];
                for (int j = 0; j < n; j++) {
                    acc[j] += av * row[j];
                }
            }
            System.arraycopy(acc, 0, c, cOff + i * n, n);
        }
    }
}
