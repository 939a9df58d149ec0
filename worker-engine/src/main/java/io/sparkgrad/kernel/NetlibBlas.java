package io.sparkgrad.kernel;

import dev.ludovic.netlib.blas.NativeBLAS;

/**
 * GEMM through dev.ludovic.netlib's JNI binding to the machine's native BLAS (libblas.so.3), the
 * same library Spark's MLlib uses, so one process never holds two BLAS builds. Arrays are passed
 * with offsets and pinned, not copied. Row-major {@code C = op(A) op(B)} is computed as the
 * column-major {@code C^T = op(B)^T op(A)^T}.
 *
 * <p>Threads are the native library's own setting (for OpenBLAS, {@code OPENBLAS_NUM_THREADS});
 * on Spark executors set it to 1 ({@code spark.executorEnv.OPENBLAS_NUM_THREADS=1}), as Spark's
 * own MLlib guide advises.
 */
final class NetlibBlas implements Blas {
    private final NativeBLAS blas;

    private NetlibBlas(NativeBLAS blas) {
        this.blas = blas;
    }

    /**
     * The native binding; throws when no native BLAS is found, or when the one found is the
     * unoptimised reference BLAS (Debian's {@code .../blas/libblas.so.3}, about 6 GFLOP/s), which
     * the bundled OpenBLAS beats by more than ten times.
     */
    static NetlibBlas load() {
        NativeBLAS blas = NativeBLAS.getInstance();
        String ref = referenceBlasPath();
        if (ref != null) {
            throw new IllegalStateException("the native BLAS is the reference implementation (" + ref + ")");
        }
        return new NetlibBlas(blas);
    }

    /** The path of a mapped reference BLAS, read from /proc/self/maps on Linux; null otherwise. */
    private static String referenceBlasPath() {
        java.nio.file.Path maps = java.nio.file.Paths.get("/proc/self/maps");
        if (!java.nio.file.Files.isReadable(maps)) {
            return null;
        }
        try (java.util.stream.Stream<String> lines = java.nio.file.Files.lines(maps)) {
            return lines.map(l -> l.substring(l.lastIndexOf(' ') + 1))
                    .filter(f -> f.endsWith("/blas/libblas.so.3") || f.endsWith("/libblas/libblas.so.3"))
                    .findFirst().orElse(null);
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    @Override
    public String name() {
        return "netlib-native";
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k,
                      float[] a, int aOff, float[] b, int bOff, float[] c, int cOff) {
        blas.sgemm(transB ? "T" : "N", transA ? "T" : "N", n, m, k, 1f, b, bOff, transB ? k : n,
                a, aOff, transA ? m : k, 0f, c, cOff, n);
    }

    @Override
    public void dgemm(boolean transA, boolean transB, int m, int n, int k,
                      double[] a, int aOff, double[] b, int bOff, double[] c, int cOff) {
        blas.dgemm(transB ? "T" : "N", transA ? "T" : "N", n, m, k, 1d, b, bOff, transB ? k : n,
                a, aOff, transA ? m : k, 0d, c, cOff, n);
    }
}
