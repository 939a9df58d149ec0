package io.sparkgrad.kernel;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * GEMM through bytedeco's OpenBLAS build (BLAS only, no LAPACK), whose natives ship inside the
 * jar. JavaCPP copies Java arrays in and out on each call, so operands with a non-zero offset are
 * copied to their own arrays first; that is O(n^2) against the O(n^3) product.
 *
 * <p>Threads: OpenBLAS's pool is set once, at load, to {@code -Dsparkgrad.blas.threads} (default
 * 1). Spark already runs one task per core; a second pool per task would oversubscribe them.
 */
final class OpenBlas implements Blas {
    private static final int ROW_MAJOR = 101;
    private static final int NO_TRANS = 111;
    private static final int TRANS = 112;

    private OpenBlas() {
    }

    static OpenBlas load() {
        Loader.load(openblas_nolapack.class);
        int threads = Integer.getInteger("sparkgrad.blas.threads", 1);
        openblas_nolapack.blas_set_num_threads(threads);
        return new OpenBlas();
    }

    @Override
    public String name() {
        return "openblas";
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k,
                      float[] a, int aOff, float[] b, int bOff, float[] c, int cOff) {
        float[] aa = slice(a, aOff, m * k);
        float[] bb = slice(b, bOff, k * n);
        float[] cc = cOff == 0 && c.length == m * n ? c : new float[m * n];
        openblas_nolapack.cblas_sgemm(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS,
                m, n, k, 1f, aa, transA ? m : k, bb, transB ? k : n, 0f, cc, n);
        if (cc != c) {
            System.arraycopy(cc, 0, c, cOff, m * n);
        }
    }

    @Override
    public void dgemm(boolean transA, boolean transB, int m, int n, int k,
                      double[] a, int aOff, double[] b, int bOff, double[] c, int cOff) {
        double[] aa = slice(a, aOff, m * k);
        double[] bb = slice(b, bOff, k * n);
        double[] cc = cOff == 0 && c.length == m * n ? c : new double[m * n];
        openblas_nolapack.cblas_dgemm(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS,
                m, n, k, 1d, aa, transA ? m : k, bb, transB ? k : n, 0d, cc, n);
        if (cc != c) {
            System.arraycopy(cc, 0, c, cOff, m * n);
        }
    }

    private static float[] slice(float[] x, int off, int len) {
        if (off == 0 && x.length == len) {
            return x;
        }
        float[] out = new float[len];
        System.arraycopy(x, off, out, 0, len);
        return out;
    }

    private static double[] slice(double[] x, int off, int len) {
        if (off == 0 && x.length == len) {
            return x;
        }
        double[] out = new double[len];
        System.arraycopy(x, off, out, 0, len);
        return out;
    }
}
