package io.sparkgrad.kernel;

import java.util.List;

/**
 * The one numeric interface the engine's matmul goes through: row-major GEMM,
 * {@code C = op(A) * op(B)} with {@code op(X)} = X or X^T. Swapping the BLAS means adding an
 * implementation and changing {@link #get()}; nothing else in the engine knows which is in use.
 *
 * <p>Implementations, in order of preference ({@code auto}):
 * <ol>
 *   <li>{@code netlib}: {@link NetlibBlas#load()}, the machine's native BLAS through
 *       dev.ludovic.netlib, the binding MLlib uses, so the process holds one BLAS; chosen only when
 *       the environment sets its thread count, e.g. {@code OPENBLAS_NUM_THREADS=1}, as
 *       spark-submit.sh does;</li>
 *   <li>{@code bundled}: {@link NetlibBlas#overBundled()}, the same binding pointed at the OpenBLAS
 *       inside bytedeco's jar: no copy per call, and MLlib in the same JVM then uses it too;</li>
 *   <li>{@code openblas}: {@link OpenBlas}, the bundled OpenBLAS through JavaCPP, which copies
 *       operands on each call (when the binding is already bound elsewhere, or not on Linux);</li>
 *   <li>{@code java}: {@link JavaBlas}.</li>
 * </ol>
 * Choose with {@code -Dsparkgrad.blas=auto|netlib|bundled|openblas|java}.
 *
 * <p>Threads. Under Spark every core already runs a task, so the BLAS must run one thread per
 * task: the bundled library's count is {@code -Dsparkgrad.blas.threads} (default 1); the
 * machine's is its own environment variable ({@code OPENBLAS_NUM_THREADS=1},
 * {@code spark.executorEnv.OPENBLAS_NUM_THREADS=1}). A single-process user (no Spark, idle cores)
 * raises {@code -Dsparkgrad.blas.threads} to the core count. Both are read once, at first use.
 *
 * <p>Do not force {@code openblas} on
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
                case "bundled":
                    return NetlibBlas.overBundled();
                case "openblas":
                    try {
                        return OpenBlas.load();
                    } catch (Throwable e) {
                        throw new IllegalStateException("-Dsparkgrad.blas=openblas, but OpenBLAS did not load", e);
                    }
                case "auto":
                    break;
                default:
                    throw new IllegalArgumentException("-Dsparkgrad.blas=" + want + ": expected auto, netlib, bundled, openblas or java");
            }
            try {
                if (!nativeThreadsSet()) {
                    throw new IllegalStateException("OPENBLAS_NUM_THREADS is not set");
                }
                return NetlibBlas.load(); // the machine's BLAS, shared with MLlib
            } catch (Throwable noNative) {
                List<String> decided = NetlibBlas.boundElsewhere();
                if (!decided.isEmpty()) {
                    // MLlib (or the user) chose netlib's library already: share it, whatever its
                    // threads, since a second OpenBLAS build beside it is unsafe
                    try {
                        NetlibBlas shared = NetlibBlas.load();
                        System.getLogger(Blas.class.getName()).log(System.Logger.Level.WARNING,
                                "sharing netlib's BLAS (" + decided + "); its threads are its own setting"
                                        + " (OPENBLAS_NUM_THREADS unset: " + noNative.getMessage() + ")");
                        return shared;
                    } catch (Throwable unusable) {
                        // reference BLAS or not loadable: the bundled copy path below
                    }
                }
                try {
                    return NetlibBlas.overBundled(); // the bundled OpenBLAS, no copies
                } catch (Throwable notBound) {
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
}
