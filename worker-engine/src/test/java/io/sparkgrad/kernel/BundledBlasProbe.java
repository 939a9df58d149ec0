package io.sparkgrad.kernel;

import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * Run in a fresh JVM by {@link BlasSelectionTest}: prints the backend {@code Blas.get()} chose,
 * the BLAS libraries then mapped, the bundled OpenBLAS's thread count, and the largest difference
 * between that backend's sgemm/dgemm and {@link JavaBlas}'s on operands with offsets and
 * transposes. A fresh JVM because netlib's JNIBLAS binds its library once per process.
 */
final class BundledBlasProbe {
    private BundledBlasProbe() {
    }

    public static void main(String[] args) {
        Blas blas = Blas.get();
        System.out.println("name=" + blas.name());
        System.out.println("mapped=" + NetlibBlas.mappedBlasLibraries());
        System.out.println("maxdiff=" + BlasSelectionTest.maxDiffAgainstJava(blas));
        if (blas.name().equals("netlib-bundled-openblas")) {
            System.out.println("threads=" + openblas_nolapack.blas_get_num_threads());
        }
    }
}
