package io.sparkgrad.bench;

import io.sparkgrad.kernel.Blas;
import io.sparkgrad.kernel.JavaBlas;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Float32 square GEMM {@code C = A B} (row-major, no transposes) through the engine's two
 * {@link Blas} implementations, called directly with a reused output array (so no allocation of C
 * is timed; {@code MatMul.matmul} adds one {@code new float[n*n]} per call).
 *
 * <p>Reported as average time per GEMM; GFLOP/s = 2 n^3 / time. {@code backend}: {@code java}
 * is {@link JavaBlas#INSTANCE}; {@code openblas-1t} / {@code openblas-2t} is {@link Blas#get()}
 * under {@code -Dsparkgrad.blas=openblas} with {@code -Dsparkgrad.blas.threads} = 1 or 2.
 * {@code openblas-1t-offheap} is not an engine path: the same OpenBLAS {@code cblas_sgemm} on
 * off-heap {@code FloatPointer} operands, to show what the engine's {@code float[]} calls pay for
 * JavaCPP copying each array in and out of the native call. {@code bundled-1t} is the engine's
 * no-copy fallback: that same OpenBLAS reached through netlib's JNIBLAS on the {@code float[]}s
 * ({@code -Dsparkgrad.blas=bundled}); it should match {@code openblas-1t-offheap}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-Dsparkgrad.blas=openblas"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class MatmulBench {
    @Param({"256", "512", "1024"})
    public int n;

    @Param({"java", "openblas-1t", "openblas-2t", "openblas-1t-offheap", "bundled-1t", "netlib"})
    public String backend;

    private Blas blas;
    private float[] a;
    private float[] b;
    private float[] c;
    private FloatPointer pa;
    private FloatPointer pb;
    private FloatPointer pc;

    @Setup
    public void setup() {
        switch (backend) {
            case "java":
                blas = JavaBlas.INSTANCE;
                break;
            case "openblas-1t":
                blas = BenchSupport.openBlasWithThreads(1);
                break;
            case "openblas-2t":
                blas = BenchSupport.openBlasWithThreads(2);
                break;
            case "openblas-1t-offheap":
                blas = BenchSupport.openBlasWithThreads(1);
                break;
            case "bundled-1t":
                blas = BenchSupport.bundled(1);
                break;
            case "netlib":
                blas = BenchSupport.netlib();
                break;
            default:
                throw new IllegalArgumentException(backend);
        }
        a = BenchSupport.random(1, n * n);
        b = BenchSupport.random(2, n * n);
        c = new float[n * n];
        if (backend.endsWith("offheap")) {
            pa = new FloatPointer(a);
            pb = new FloatPointer(b);
            pc = new FloatPointer(c);
        }
    }

    @TearDown
    public void tearDown() {
        if (pa != null) {
            pa.close();
            pb.close();
            pc.close();
        }
    }

    @Benchmark
    public Object sgemm() {
        if (pa != null) { // the same OpenBLAS on off-heap operands: no JNI array copies
            openblas_nolapack.cblas_sgemm(101, 111, 111, n, n, n, 1f, pa, n, pb, n, 0f, pc, n);
            return pc;
        }
        blas.sgemm(false, false, n, n, n, a, 0, b, 0, c, 0);
        return c;
    }
}
