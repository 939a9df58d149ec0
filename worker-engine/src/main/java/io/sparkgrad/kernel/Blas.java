package io.sparkgrad.kernel;

/**
 * The one numeric interface the engine's matmul goes through: row-major GEMM,
 * {@code C = op(A) * op(B)} with {@code op(X)} = X or X^T. Swapping the BLAS means adding an
 * implementation and changing {@link #get()}; nothing else in the engine knows which is in use.
 *
 * <p>Implementations, in order of preference: {@link NetlibBlas} (the machine's native BLAS through
 * dev.ludovic.netlib, the binding MLlib uses, so the process holds one BLAS; chosen only when the
 * environment sets its thread count, e.g. {@code OPENBLAS_NUM_THREADS=1}, as spark-submit.sh
 * does), {@link OpenBlas}
 * (bytedeco's OpenBLAS, natives inside the jar, for machines without one), {@link JavaBlas}.
 * Choose with {@code -Dsparkgrad.blas=auto|netlib|openblas|java}. Do not force {@code openblas} on
 * a machine with a native BLAS if the same JVM runs MLlib: two OpenBLAS builds in one process
 * corrupt each other's results (measured: MLlib's L-BFGS then stops at all-zero coefficients;
 * {@code CompareWithMllibTest} after {@code TrainTest} with {@code -Dsparkgrad.blas=openblas}).
 * Small products (below {@link #SMALL_FLOPS}) always use {@link JavaBlas}: a native call costs
 * more than they do, and the Java kernel's summation order is the plain sequential one, which is
 * what the seed notebooks print.
 */
public interface Blas {

    /** Products with {@code m*n*k} below this run in Java. */
    long SMALL_FLOPS = 32L * 32 * 32;

    /**
     * {@code C[m x n] = op(A) * op(B)}, where op(A) is m x k and op(B) is k x n. A is stored
     * row-major as m x k (or k x m when transposed), from {@code aOff}; likewise B and C. C is
     * overwritten.
     */
    void sgemm(boolean transA, boolean transB, int m, int n, int k,
               float[] a, int aOff, float[] b, int bOff, float[] c, int cOff);

    /** Double-precision {@link #sgemm}. */
    void dgemm(boolean transA, boolean transB, int m, int n, int k,
               double[] a, int aOff, double[] b, int bOff, double[] c, int cOff);

    /** A short name for logs and benchmarks. */
    String name();

    /** The backend chosen for this JVM (an immutable choice, made once). */
    static Blas get() {
        return Holder.INSTANCE;
    }

    /** The backend for a product of the given size. */
    static Blas forSize(int m, int n, int k) {
        return (long) m * n * k < SMALL_FLOPS ? JavaBlas.INSTANCE : Holder.INSTANCE;
    }

    /**
     * True when the environment fixes the native BLAS's thread count. Unset, OpenBLAS starts one
     * thread per core for every call, and tasks running side by side (Spark runs one per core)
     * then oversubscribe the cores: measured 4x slower here (BENCHMARKS.md), so the engine uses
     * its own OpenBLAS, whose threads it sets, instead.
     */
    static boolean nativeThreadsSet() {
        for (String v : new String[] {"OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"}) {
            if (System.getenv(v) != null) {
                return true;
            }
        }
        return false;
    }

    /** Lazy, immutable holder: the choice is made on first use and never changes. */
    final class Holder {
        static final Blas INSTANCE = choose();

        private Holder() {
        }

        private static Blas choose() {
            String want = System.getProperty("sparkgrad.blas", "auto");
            switch (want) {
                case "java":
                    return JavaBlas.INSTANCE;
                case "netlib":
                    return NetlibBlas.load();
                case "openblas":
                    try {
                        return OpenBlas.load();
                    } catch (Throwable e) {
                        throw new IllegalStateException("-Dsparkgrad.blas=openblas, but OpenBLAS did not load", e);
                    }
                case "auto":
                    break;
                default:
                    throw new IllegalArgumentException("-Dsparkgrad.blas=" + want + ": expected auto, netlib, openblas or java");
            }
            try {
                if (!nativeThreadsSet()) {
                    throw new IllegalStateException("OPENBLAS_NUM_THREADS is not set");
                }
                return NetlibBlas.load(); // the machine's BLAS, shared with MLlib
            } catch (Throwable noNative) {
                try {
                    return OpenBlas.load();
                } catch (Throwable e) { // natives missing for this OS/CPU: fall back, loudly
                    System.getLogger(Blas.class.getName()).log(System.Logger.Level.WARNING,
                            "no native BLAS (" + noNative.getMessage() + ") and OpenBLAS did not load (" + e
                                    + "); using the pure-Java GEMM");
                    return JavaBlas.INSTANCE;
                }
            }
        }
    }
}
