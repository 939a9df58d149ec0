package io.sparkgrad.bench;

import io.sparkgrad.kernel.Blas;
import org.bytedeco.openblas.global.openblas_nolapack;

/** Shared set-up: choosing the BLAS through the engine's own system properties, and checking it. */
final class BenchSupport {
    private BenchSupport() {
    }

    /**
     * Sets {@code -Dsparkgrad.blas.threads} before the engine first touches {@link Blas} (each JMH
     * parameter combination runs in its own forked JVM, so this is the first use), then returns
     * {@link Blas#get()} and checks that it is OpenBLAS with that many threads.
     */
    static Blas openBlasWithThreads(int threads) {
        System.setProperty("sparkgrad.blas", "openblas");
        System.setProperty("sparkgrad.blas.threads", Integer.toString(threads));
        Blas blas = Blas.get();
        if (!blas.name().equals("openblas")) {
            throw new IllegalStateException("expected OpenBLAS (run with -Dsparkgrad.blas=openblas), got " + blas.name());
        }
        int actual = openblas_nolapack.blas_get_num_threads();
        if (actual != threads) {
            throw new IllegalStateException("OpenBLAS runs " + actual + " threads, wanted " + threads
                    + " (was Blas.get() called before this set-up?)");
        }
        System.err.println("[bench] blas=" + blas.name() + " threads=" + actual
                + " OPENBLAS_CORETYPE=" + System.getenv("OPENBLAS_CORETYPE")
                + " OPENBLAS_L2_SIZE=" + System.getenv("OPENBLAS_L2_SIZE"));
        return blas;
    }

    /**
     * Chooses the engine's backend for this (forked) JVM from a benchmark parameter: {@code java},
     * {@code openblas-1t}, {@code openblas-2t}, {@code netlib} or {@code bundled-1t}. Must run before anything touches {@link Blas}.
     */
    static Blas select(String backend) {
        switch (backend) {
            case "java":
                System.setProperty("sparkgrad.blas", "java");
                if (!Blas.get().name().equals("java")) {
                    throw new IllegalStateException("Blas was chosen before set-up: " + Blas.get().name());
                }
                System.err.println("[bench] blas=java");
                return Blas.get();
            case "openblas-1t":
                return openBlasWithThreads(1);
            case "openblas-2t":
                return openBlasWithThreads(2);
            case "netlib":
                return netlib();
            case "bundled-1t":
                return bundled(1);
            default:
                throw new IllegalArgumentException("unknown backend " + backend);
        }
    }

    /**
     * The machine's native BLAS through dev.ludovic.netlib (the engine's default where one is
     * installed); its threads are the native library's ({@code OPENBLAS_NUM_THREADS}).
     */
    static Blas netlib() {
        System.setProperty("sparkgrad.blas", "netlib");
        Blas blas = Blas.get();
        System.err.println("[bench] blas=" + blas.name() + " OPENBLAS_NUM_THREADS=" + System.getenv("OPENBLAS_NUM_THREADS")
                + " OPENBLAS_CORETYPE=" + System.getenv("OPENBLAS_CORETYPE"));
        return blas;
    }

    /**
     * netlib's JNIBLAS bound to the bundled OpenBLAS (no copy per call), with {@code threads}
     * threads; the engine's fallback where the machine has no BLAS or no thread setting.
     */
    static Blas bundled(int threads) {
        System.setProperty("sparkgrad.blas", "bundled");
        System.setProperty("sparkgrad.blas.threads", Integer.toString(threads));
        Blas blas = Blas.get();
        int actual = openblas_nolapack.blas_get_num_threads();
        if (!blas.name().equals("netlib-bundled-openblas") || actual != threads) {
            throw new IllegalStateException("expected the bundled OpenBLAS through netlib with " + threads
                    + " threads, got " + blas.name() + " with " + actual);
        }
        System.err.println("[bench] blas=" + blas.name() + " threads=" + actual
                + " OPENBLAS_CORETYPE=" + System.getenv("OPENBLAS_CORETYPE"));
        return blas;
    }

    static float[] random(long seed, int n) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return out;
    }
}
