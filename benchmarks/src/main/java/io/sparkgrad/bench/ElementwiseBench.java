package io.sparkgrad.bench;

import io.sparkgrad.DType;
import io.sparkgrad.Tensor;
import io.sparkgrad.kernel.Elementwise;
import io.sparkgrad.kernel.Fused;
import io.sparkgrad.ops.Ops;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The non-GEMM kernels of the MLP step, one at a time, on its activation shape [256, 512]
 * (131,072 floats) and on untracked tensors, so no graph is recorded: time per call. For scale,
 * the MLP step's 8 GEMMs take about 7-9 ms on one OpenBLAS thread here, and a plain float loop over
 * 131,072 elements should take some 10-30 us. Each call allocates its 512 KiB result; the fork
 * has the 4 MiB G1 regions the step and the executors get ({@code MlpStepBench},
 * {@code SparkGradConf}), so that result is not a humongous allocation (until 2026-12-08 the fork
 * had G1's 1 MiB regions, and the figures before then include that).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-XX:G1HeapRegionSize=4m", "-Dsparkgrad.blas=java"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ElementwiseBench {
    private Tensor x;
    private Tensor y;
    private Tensor bias;
    private Tensor zero;
    private Tensor mask;
    private Tensor xPos;
    private Tensor ones;

    @Setup
    public void setup() {
        x = Tensor.randn(1, 256, 512);
        y = Tensor.randn(2, 256, 512);
        bias = Tensor.randn(3, 512);
        zero = Tensor.scalar(0, DType.FLOAT32);
        mask = Elementwise.binary(Elementwise.Binary.GT, x, zero);
        xPos = Ops.abs(x); // the same magnitudes, all positive: x > 0 is always true
        ones = Tensor.full(1, DType.BOOL, 256, 512);
    }

    /** {@code x * y}, same shapes: the specialised float loop. */
    @Benchmark
    public Tensor mul() {
        return Ops.mul(x, y);
    }

    /** {@code x + bias}, bias [512] broadcast over rows (Dense's bias add). */
    @Benchmark
    public Tensor addBias() {
        return Ops.add(x, bias);
    }

    /** {@code x > 0}: a comparison, Bool result (half of ReLU). */
    @Benchmark
    public Tensor gtZero() {
        return Ops.gt(x, zero);
    }

    /**
     * {@code x > 0} on all-positive data: the same kernel, but every comparison goes the same way.
     * Against {@link #gtZero} (random signs, as ReLU pre-activations have) this shows how much of
     * the comparison's cost is branch misprediction.
     */
    @Benchmark
    public Tensor gtZeroAllPositive() {
        return Ops.gt(xPos, zero);
    }

    /** {@link #wrapBool} on an all-ones mask: predictable branches. */
    @Benchmark
    public Tensor wrapBoolAllOnes() {
        return Tensor.wrapBool(ones.floatStorage(), 256, 512);
    }

    /** Reference, not an engine path: {@code x > 0} as a plain float loop into a new array. */
    @Benchmark
    public float[] gtZeroPlainLoop() {
        float[] v = x.floatStorage();
        float[] m = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            m[i] = v[i] > 0f ? 1f : 0f;
        }
        return m;
    }

    /** {@code Tensor.wrapBool}'s 0/1 validation of a mask (part of every comparison). */
    @Benchmark
    public Tensor wrapBool() {
        return Tensor.wrapBool(mask.floatStorage(), 256, 512);
    }

    /** Bool to Float32 (the other half of ReLU's mask). */
    @Benchmark
    public Tensor castBool() {
        return Ops.cast(mask, DType.FLOAT32);
    }

    /** The whole {@code relu(x) = x * cast(x > 0)}. */
    @Benchmark
    public Tensor relu() {
        return Ops.relu(x);
    }

    /** relu's VJP, {@code y * (x > 0)} for the upstream gradient y: the backward pass's mask. */
    @Benchmark
    public Tensor reluGrad() {
        return Fused.reluGrad(x, y);
    }

    /** Sum over axis 0 ([256, 512] -> [512]): the bias gradient (Tape's sumToShape). */
    @Benchmark
    public Tensor sumAxis0() {
        return Ops.sum(x, false, 0);
    }

    /** {@code tanh(x)}: a unary kernel computed in double. */
    @Benchmark
    public Tensor tanh() {
        return Ops.tanh(x);
    }
}
