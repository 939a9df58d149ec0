package io.sparkgrad.kernel;

import dev.ludovic.netlib.blas.NativeBLAS;
import java.util.List;
import java.util.stream.Collectors;

/**
 * GEMM through dev.ludovic.netlib's JNI binding ({@code JNIBLAS}), the binding Spark's MLlib
 * uses, so one process never holds two BLAS builds. Arrays are passed with offsets and pinned
 * ({@code GetPrimitiveArrayCritical}), not copied. The binding {@code dlopen}s one library, once
 * per process, when its class is first initialised: the system property
 * {@code dev.ludovic.netlib.blas.nativeLibPath} (a path) or {@code dev.ludovic.netlib.blas.nativeLib}
 * (a name), by default the machine's {@code libblas.so.3}. Two ways in:
 * <ul>
 *   <li>{@link #load()}: the machine's BLAS;</li>
 *   <li>{@link #overBundled()}: the OpenBLAS inside bytedeco's jar, which JNIBLAS is pointed at
 *       through {@code nativeLibPath} (set only when neither property is set): the same mapped
 *       file that bytedeco loaded, so one OpenBLAS and its one thread setting serve the engine
 *       and MLlib alike, with no copy per call (where {@link OpenBlas} copies every operand).</li>
 * </ul> Row-major {@code C = op(A) op(B)} is computed as the
 * column-major {@code C^T = op(B)^T op(A)^T}.
 *
 * <p>Threads are the native library's own setting (for OpenBLAS, {@code OPENBLAS_NUM_THREADS});
 * on Spark executors set it to 1 ({@code spark.executorEnv.OPENBLAS_NUM_THREADS=1}), as Spark's
 * own MLlib guide advises.
 */
final class NetlibBlas implements Blas {
    /** JNIBLAS's property for the path of the library it loads. */
    static final String LIB_PATH_PROPERTY = "dev.ludovic.netlib.blas.nativeLibPath";
    /** JNIBLAS's property for the name of the library it loads ({@code lib<name>.so}). */
    static final String LIB_NAME_PROPERTY = "dev.ludovic.netlib.blas.nativeLib";

    private final NativeBLAS blas;
    private final String name;

    private NetlibBlas(NativeBLAS blas, String name) {
        this.blas = blas;
        this.name = name;
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
        return new NetlibBlas(blas, "netlib-native");
    }

    /**
     * JNIBLAS over bytedeco's bundled OpenBLAS, with {@link OpenBlas#threads()} threads. Refuses,
     * before loading anything (and the caller falls back), when that binding is not ours to make:
     * a netlib library property is set, or a BLAS is already mapped into this process (MLlib bound
     * JNIBLAS first). Loading a second OpenBLAS build beside one already mapped is unsafe: measured,
     * a dgemm then crashes the JVM (SIGSEGV in {@code dgemm_oncopy}). Also throws when not on
     * Linux (no {@code /proc/self/maps}, so the bundled file cannot be named).
     */
    static NetlibBlas overBundled() {
        if (!boundElsewhere().isEmpty()) {
            throw new IllegalStateException("netlib's BLAS is already chosen: " + boundElsewhere());
        }
        if (!java.nio.file.Files.isReadable(java.nio.file.Paths.get("/proc/self/maps"))) {
            throw new IllegalStateException("not Linux: the bundled OpenBLAS cannot be named for netlib");
        }
        String bundled = OpenBlas.loadBundled();
        if (bundled == null) {
            throw new IllegalStateException("the bundled OpenBLAS is not among the mapped libraries");
        }
        System.setProperty(LIB_PATH_PROPERTY, bundled);
        NativeBLAS blas = NativeBLAS.getInstance();
        List<String> others = mappedBlasLibraries().stream().filter(f -> !f.equals(bundled)).collect(Collectors.toList());
        if (!others.isEmpty()) {
            throw new IllegalStateException("netlib's JNIBLAS is bound to " + others + ", not the bundled " + bundled);
        }
        return new NetlibBlas(blas, "netlib-bundled-openblas");
    }

    /**
     * Why JNIBLAS's library is already decided in this process: the netlib properties that are
     * set and the BLAS libraries already mapped; empty when it is still ours to choose.
     */
    static List<String> boundElsewhere() {
        List<String> why = new java.util.ArrayList<>();
        for (String p : new String[] {LIB_PATH_PROPERTY, LIB_NAME_PROPERTY}) {
            if (System.getProperty(p) != null) {
                why.add("-D" + p + "=" + System.getProperty(p));
            }
        }
        why.addAll(mappedBlasLibraries());
        return why;
    }

    /**
     * The BLAS implementations mapped into this process (libblas, libopenblas, MKL), from
     * /proc/self/maps, without the JNI wrappers around them; empty where that file is not readable.
     */
    static List<String> mappedBlasLibraries() {
        java.nio.file.Path maps = java.nio.file.Paths.get("/proc/self/maps");
        if (!java.nio.file.Files.isReadable(maps)) {
            return List.of();
        }
        try (java.util.stream.Stream<String> lines = java.nio.file.Files.lines(maps)) {
            return lines.map(l -> l.substring(l.lastIndexOf(' ') + 1)).distinct()
                    .filter(NetlibBlas::isBlasLibrary).collect(Collectors.toList());
        } catch (java.io.IOException | RuntimeException e) {
            return List.of();
        }
    }

    private static boolean isBlasLibrary(String path) {
        String file = path.substring(path.lastIndexOf('/') + 1);
        return file.matches("lib(blas|openblas\\w*|mkl_rt)\\.so(\\.\\d+)*");
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
        return name;
    }

    /**
     * A product with one output row or column ({@code m == 1} or {@code n == 1}: a logistic
     * regression's forward {@code X w} and its weight gradient {@code X^T g}) goes to GEMV, which
     * reads the matrix once. OpenBLAS's GEMM (0.3.21, Debian 12's) packs the whole matrix into its
     * own buffer first even when the other operand is a vector. Measured on the LR gradient pass:
     * JFR counted 139 native samples in our float sgemm against 122 in MLlib's dgemv over twice
     * our bytes; with GEMV the pass went from 0.75 to about 0.5-0.55 of MLlib's time
     * (BENCHMARKS.md). The vector's stride is 1 either way, since one of its dimensions is 1.
     */
    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k,
                      float[] a, int aOff, float[] b, int bOff, float[] c, int cOff) {
        if (n == 1) { // c[m] = op(A) b: A row-major m x k is column-major k x m
            blas.sgemv(transA ? "N" : "T", transA ? m : k, transA ? k : m, 1f, a, aOff, transA ? m : k,
                    b, bOff, 1, 0f, c, cOff, 1);
            return;
        }
        if (m == 1) { // c[n] = a op(B)
            blas.sgemv(transB ? "T" : "N", transB ? k : n, transB ? n : k, 1f, b, bOff, transB ? k : n,
                    a, aOff, 1, 0f, c, cOff, 1);
            return;
        }
        blas.sgemm(transB ? "T" : "N", transA ? "T" : "N", n, m, k, 1f, b, bOff, transB ? k : n,
                a, aOff, transA ? m : k, 0f, c, cOff, n);
    }

    /** As {@link #sgemm}, GEMV for one output row or column. */
    @Override
    public void dgemm(boolean transA, boolean transB, int m, int n, int k,
                      double[] a, int aOff, double[] b, int bOff, double[] c, int cOff) {
        if (n == 1) {
            blas.dgemv(transA ? "N" : "T", transA ? m : k, transA ? k : m, 1d, a, aOff, transA ? m : k,
                    b, bOff, 1, 0d, c, cOff, 1);
            return;
        }
        if (m == 1) {
            blas.dgemv(transB ? "T" : "N", transB ? k : n, transB ? n : k, 1d, b, bOff, transB ? k : n,
                    a, aOff, 1, 0d, c, cOff, 1);
            return;
        }
        blas.dgemm(transB ? "T" : "N", transA ? "T" : "N", n, m, k, 1d, b, bOff, transB ? k : n,
                a, aOff, transA ? m : k, 0d, c, cOff, n);
    }
}
