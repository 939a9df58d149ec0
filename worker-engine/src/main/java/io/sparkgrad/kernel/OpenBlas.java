package io.sparkgrad.kernel;

import java.lang.reflect.Array;
import java.util.function.IntFunction;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * GEMM through bytedeco's OpenBLAS build (BLAS only, no LAPACK), whose natives ship inside the
 * jar. JavaCPP copies Java arrays in and out on each call, so operands with a non-zero offset are
 * copied to their own arrays first; that is O(n^2) against the O(n^3) product.
 *
 * <p>This copying path is the last native fallback: where the bundled library can be reached
 * through netlib's JNIBLAS ({@link NetlibBlas#overBundled()}), that is used instead, with no copy.
 *
 * <p>Threads: OpenBLAS's pool is set once, at load, to {@link #threads()}: the system property
 * {@code sparkgrad.blas.threads}, default 1, which is right under Spark (one task per core already;
 * a pool per task would oversubscribe the cores). A single-process user with idle cores sets
 * {@code -Dsparkgrad.blas.threads=N} before the first matmul.
 */
final class OpenBlas implements Blas {
    private static final int ROW_MAJOR = 101;
    private static final int NO_TRANS = 111;
    private static final int TRANS = 112;

    private OpenBlas() {
    }

    static OpenBlas load() {
        loadBundled();
        return new OpenBlas();
    }

    /** The thread count the bundled OpenBLAS is given: {@code -Dsparkgrad.blas.threads}, default 1. */
    static int threads() {
        int threads = Integer.getInteger("sparkgrad.blas.threads", 1);
        if (threads < 1) {
            throw new IllegalArgumentException("-Dsparkgrad.blas.threads=" + threads + ": needs at least 1");
        }
        return threads;
    }

    /**
     * Loads the bundled OpenBLAS (JavaCPP extracts it to its cache), sets its threads to
     * {@link #threads()}, and returns the path of the mapped library, or null when it cannot be
     * found (not Linux).
     */
    static String loadBundled() {
        Loader.load(openblas_nolapack.class);
        openblas_nolapack.blas_set_num_threads(threads());
        return NetlibBlas.mappedBlasLibraries().stream()
                .filter(f -> f.substring(f.lastIndexOf('/') + 1).startsWith("libopenblas") && f.contains("bytedeco"))
                .findFirst().orElse(null);
    }

    @Override
    public String name() {
        return "openblas";
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k,
                      float[] a, int aOff, float[] b, int bOff, float[] c, int cOff) {
        float[] cc = output(c, cOff, m * n, float[]::new);
        openblas_nolapack.cblas_sgemm(ROW_MAJOR, op(transA), op(transB), m, n, k,
                1f, staged(a, aOff, m * k, float[]::new), transA ? m : k,
                staged(b, bOff, k * n, float[]::new), transB ? k : n, 0f, cc, n);
        unstage(cc, c, cOff, m * n);
    }

    @Override
    public void dgemm(boolean transA, boolean transB, int m, int n, int k,
                      double[] a, int aOff, double[] b, int bOff, double[] c, int cOff) {
        double[] cc = output(c, cOff, m * n, double[]::new);
        openblas_nolapack.cblas_dgemm(ROW_MAJOR, op(transA), op(transB), m, n, k,
                1d, staged(a, aOff, m * k, double[]::new), transA ? m : k,
                staged(b, bOff, k * n, double[]::new), transB ? k : n, 0d, cc, n);
        unstage(cc, c, cOff, m * n);
    }

    private static int op(boolean trans) {
        return trans ? TRANS : NO_TRANS;
    }

    /**
     * {@code x[off, off+len)} as an array of its own: {@code x} itself when that is all of it,
     * else a copy (made by {@code alloc}, for any primitive array type).
     */
    private static <A> A staged(A x, int off, int len, IntFunction<A> alloc) {
        A out = output(x, off, len, alloc);
        if (out != x) {
            System.arraycopy(x, off, out, 0, len);
        }
        return out;
    }

    /** Where the product is written: {@code c} itself when it is all of it, else a scratch array. */
    private static <A> A output(A c, int off, int len, IntFunction<A> alloc) {
        return off == 0 && Array.getLength(c) == len ? c : alloc.apply(len);
    }

    /** Copies a staged result back into {@code c} at {@code off}, unless it is {@code c} itself. */
    private static void unstage(Object staged, Object c, int off, int len) {
        if (staged != c) {
            System.arraycopy(staged, 0, c, off, len);
        }
    }
}
