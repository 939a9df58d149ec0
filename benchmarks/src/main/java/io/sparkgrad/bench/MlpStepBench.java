package io.sparkgrad.bench;

import io.sparkgrad.Tensor;
import io.sparkgrad.Value;
import io.sparkgrad.kernel.MatMul;
import io.sparkgrad.nn.Dense;
import io.sparkgrad.nn.ReLU;
import io.sparkgrad.nn.SequentialCell;
import io.sparkgrad.ops.Fn;
import io.sparkgrad.ops.GradOperation;
import io.sparkgrad.ops.Ops;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * One training step of an MLP 784-512-512-10 (ReLU, softmax cross-entropy with integer labels),
 * batch 256, float32: forward + backward through {@code GradOperation(false, true, false)}, no
 * optimizer. The same model as {@code train_bench.py}'s torch MLP. Scores are samples/s
 * (256 per invocation).
 *
 * <ul>
 *   <li>{@code step}: the full gradient call;</li>
 *   <li>{@code forward}: the forward pass and loss alone (the graph is recorded, since the
 *       parameters are always tracked);</li>
 *   <li>{@code gemmsOnly}: just the 8 GEMMs a step performs (3 forward, 3 weight gradients, 2
 *       input gradients), with the same shapes and transpose flags, through {@link MatMul#matmul}
 *       on untracked tensors: the floor set by the BLAS. {@code step - gemmsOnly} is everything
 *       else: elementwise kernels, reductions, graph recording and the tape walk.</li>
 *   <li>{@code stepPlainMaskRelu}: a what-if (see {@link PlainMaskReLU}).</li>
 *   <li>{@code stepDataParallel}: the same step on two cores the way SparkGrad spreads work,
 *       data-parallel: this thread and one worker thread each take the gradient of half the
 *       batch (the engine keeps no state between calls, so two calls may run at once), and the
 *       step's gradients are the halves' means, {@code (gA + gB) / 2}, summed in a fixed order
 *       (the same gradients as {@code step} up to float rounding; checked in set-up). Run it with
 *       one BLAS thread ({@code OPENBLAS_NUM_THREADS=1}), as a Spark task does.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
// 4 MiB G1 regions, as spark-submit.sh gives a local master's JVM and SparkGradConf executors: with
// the 1 MiB regions G1 picks for 2 GB, the 512 KiB activations and the weight gradients are
// humongous. Measured (JMH, 3 alternations, OPENBLAS_NUM_THREADS=1): stepDataParallel 20.2k, 24.9k,
// 21.1k samples/s with 4 MiB against 16.7k, 17.5k, 18.9k with 1 MiB; step at 2 BLAS threads no change.
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-XX:G1HeapRegionSize=4m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class MlpStepBench {
    static final int BATCH = 256;

    @Param({"openblas-1t", "openblas-2t", "java", "netlib", "bundled-1t"})
    public String backend;

    private SequentialCell cell;
    private GradOperation.GradFunction grad;
    private GradOperation.GradFunction gradPlainMask;
    private Fn loss;
    private Tensor x;
    private Tensor labels;
    // the two halves of the batch, and the worker thread, of stepDataParallel
    private Tensor xA;
    private Tensor xB;
    private Tensor labelsA;
    private Tensor labelsB;
    private ExecutorService other;
    // operands of the 8 GEMMs of one step
    private Tensor w1;
    private Tensor w2;
    private Tensor w3;
    private Tensor h1;
    private Tensor h2;
    private Tensor g1;
    private Tensor g2;
    private Tensor g3;

    @Setup
    public void setup() {
        BenchSupport.select(backend);
        cell = new SequentialCell(
                Dense.builder(784, 512).seed(1).build(), new ReLU(),
                Dense.builder(512, 512).seed(2).build(), new ReLU(),
                Dense.builder(512, 10).seed(3).build());
        loss = xs -> Ops.softmaxCrossEntropy(cell.apply(xs[0]), xs[1]);
        grad = new GradOperation(false, true, false).apply(loss, cell.trainableParamTuple());
        // the same layers (same parameters) with the what-if ReLU
        SequentialCell plain = new SequentialCell(cell.get(0), new PlainMaskReLU(), cell.get(2), new PlainMaskReLU(),
                cell.get(4));
        gradPlainMask = new GradOperation(false, true, false).apply(
                xs -> Ops.softmaxCrossEntropy(plain.apply(xs[0]), xs[1]), plain.trainableParamTuple());
        x = Tensor.randn(7, BATCH, 784);
        float[] lab = new float[BATCH];
        java.util.SplittableRandom r = new java.util.SplittableRandom(8);
        for (int i = 0; i < BATCH; i++) {
            lab[i] = r.nextInt(10);
        }
        labels = Tensor.wrap(lab, BATCH);
        w1 = Tensor.wrap(BenchSupport.random(11, 512 * 784), 512, 784);
        w2 = Tensor.wrap(BenchSupport.random(12, 512 * 512), 512, 512);
        w3 = Tensor.wrap(BenchSupport.random(13, 10 * 512), 10, 512);
        h1 = Tensor.wrap(BenchSupport.random(14, BATCH * 512), BATCH, 512);
        h2 = Tensor.wrap(BenchSupport.random(15, BATCH * 512), BATCH, 512);
        g1 = Tensor.wrap(BenchSupport.random(16, BATCH * 512), BATCH, 512);
        g2 = Tensor.wrap(BenchSupport.random(17, BATCH * 512), BATCH, 512);
        g3 = Tensor.wrap(BenchSupport.random(18, BATCH * 10), BATCH, 10);
        Value v = grad.call(x, labels);
        if (v.arity() != 6) {
            throw new IllegalStateException("expected 6 parameter gradients, got " + v.arity());
        }
        int half = BATCH / 2;
        float[] xs = x.floatStorage();
        xA = Tensor.wrap(Arrays.copyOfRange(xs, 0, half * 784), half, 784);
        xB = Tensor.wrap(Arrays.copyOfRange(xs, half * 784, BATCH * 784), half, 784);
        labelsA = Tensor.wrap(Arrays.copyOfRange(lab, 0, half), half);
        labelsB = Tensor.wrap(Arrays.copyOfRange(lab, half, BATCH), half);
        other = Executors.newSingleThreadExecutor(task -> {
            Thread t = new Thread(task, "data-parallel-half");
            t.setDaemon(true);
            return t;
        });
        float[][] dp = stepDataParallel();
        for (int i = 0; i < 6; i++) { // the same gradients up to float rounding
            float[] want = v.get(i).tensor().floatStorage();
            for (int j = 0; j < want.length; j++) {
                if (Math.abs(dp[i][j] - want[j]) > 1e-6f + 1e-4f * Math.abs(want[j])) {
                    throw new IllegalStateException("data-parallel gradient " + i + "[" + j + "] = " + dp[i][j]
                            + ", one call gives " + want[j]);
                }
            }
        }
        Value w = gradPlainMask.call(x, labels);
        for (int i = 0; i < 6; i++) { // the what-if must give the very same gradients
            if (!Arrays.equals(v.get(i).tensor().floatStorage(), w.get(i).tensor().floatStorage())) {
                throw new IllegalStateException("PlainMaskReLU changed gradient " + i);
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Value step() {
        return grad.call(x, labels);
    }

    /**
     * What-if: {@link #step} with ReLU's mask built by a plain loop ({@link PlainMaskReLU}); same
     * parameters, bit-identical gradients (checked in set-up).
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Value stepPlainMaskRelu() {
        return gradPlainMask.call(x, labels);
    }

    @TearDown
    public void tearDown() {
        other.shutdownNow();
    }

    /**
     * {@link #step} data-parallel on two threads: each half's gradient, then their mean, written
     * over the first half's gradients (fresh arrays of that call) by both threads, the worker
     * taking the first half of every gradient's elements and this thread the rest.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public float[][] stepDataParallel() {
        Future<Value> b = other.submit(() -> grad.call(xB, labelsB));
        Value a = grad.call(xA, labelsA);
        Value bv = get(b);
        float[][] ga = new float[a.arity()][];
        float[][] gb = new float[a.arity()][];
        for (int i = 0; i < ga.length; i++) {
            ga[i] = a.get(i).tensor().floatStorage();
            gb[i] = bv.get(i).tensor().floatStorage();
        }
        Future<float[][]> first = other.submit(() -> mean(ga, gb, true));
        mean(ga, gb, false);
        get(first);
        return ga;
    }

    /** {@code ga[i][j] = (ga[i][j] + gb[i][j]) / 2} over the first or the second half of each gradient. */
    private static float[][] mean(float[][] ga, float[][] gb, boolean firstHalf) {
        for (int i = 0; i < ga.length; i++) {
            float[] x = ga[i];
            float[] y = gb[i];
            int mid = x.length / 2;
            for (int j = firstHalf ? 0 : mid, end = firstHalf ? mid : x.length; j < end; j++) {
                x[j] = 0.5f * (x[j] + y[j]);
            }
        }
        return ga;
    }

    private static <T> T get(Future<T> f) {
        try {
            return f.get();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Value forward() {
        return loss.call(x, labels);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void gemmsOnly(Blackhole bh) {
        // forward: y = x W^T
        bh.consume(MatMul.matmul(x, w1, false, true));
        bh.consume(MatMul.matmul(h1, w2, false, true));
        bh.consume(MatMul.matmul(h2, w3, false, true));
        // weight gradients: dW = G^T X
        bh.consume(MatMul.matmul(g3, h2, true, false));
        bh.consume(MatMul.matmul(g2, h1, true, false));
        bh.consume(MatMul.matmul(g1, x, true, false));
        // input gradients of layers 3 and 2: dX = G W
        bh.consume(MatMul.matmul(g3, w3, false, false));
        bh.consume(MatMul.matmul(g2, w2, false, false));
    }
}
