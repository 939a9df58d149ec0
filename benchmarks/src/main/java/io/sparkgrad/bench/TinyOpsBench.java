package io.sparkgrad.bench;

import io.sparkgrad.DType;
import io.sparkgrad.Tensor;
import io.sparkgrad.Value;
import io.sparkgrad.ops.GradOperation;
import io.sparkgrad.ops.GradScope;
import io.sparkgrad.ops.Ops;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-op overhead on tiny tensors: a chain of 1,000 elementwise ops on a shape-[4] float32 tensor,
 * scored in microseconds per op (the chain's time / 1,000). The counterpart of
 * {@code tiny_ops_bench.py}.
 *
 * <p>Chains ({@code kind}): {@code mul_add_tanh} cycles {@code y*c}, {@code y+b}, {@code tanh(y)}
 * (c, b constant [4] tensors of 0.999 and 0.001, so that values and gradients stay normal floats
 * rather than decaying into subnormals); {@code mul_const} is 1,000 times {@code y*c} (torch's
 * {@code mul_const} chain).
 * <ul>
 *   <li>{@code forwardUntracked}: the chain on an untracked input: kernels only, no graph (torch's
 *       {@code no_grad} column);</li>
 *   <li>{@code forwardTracked}: the chain on a watched input, so every op records a graph node, no
 *       backward (torch's {@code fwd} column);</li>
 *   <li>{@code forwardBackward}: {@code GradOperation()} w.r.t. the input: forward, then the tape
 *       walk (torch's {@code fwd+bwd} column).</li>
 * </ul>
 * The backward pass always records a graph (the VJP rules are written in tracked {@code Ops}, so
 * gradients of gradients need no flag): {@code tanhVjpTracked} vs {@code tanhVjpUntracked}
 * applies the tanh rule's expression {@code g * (1 - y*y)} 1,000 times with y tracked (as in
 * backward, where y is the forward's tracked output) or untracked; the difference is that
 * recording's cost (4 recorded primitives per rule: mul, neg, add, mul).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class TinyOpsBench {
    static final int CHAIN = 1000;

    @State(Scope.Benchmark)
    public static class Chain {
        @Param({"mul_add_tanh", "mul_const"})
        public String kind;

        Tensor x0;
        Tensor c;
        Tensor b;
        GradOperation.GradFunction grad;

        @Setup
        public void setup() {
            x0 = Tensor.randn(3, 4);
            c = Tensor.full(0.999, DType.FLOAT32, 4);
            b = Tensor.full(0.001, DType.FLOAT32, 4);
            grad = new GradOperation().apply(xs -> run(xs[0]));
            Tensor g = grad.tensor(x0);
            System.err.println("[bench] " + kind + ": gradient w.r.t. x = " + g.str()
                    + ", gradient is itself tracked (carries a graph): " + Ops.isTracked(g));
        }

        Tensor run(Tensor y) {
            if (kind.equals("mul_const")) {
                for (int i = 0; i < CHAIN; i++) {
                    y = Ops.mul(y, c);
                }
                return y;
            }
            for (int i = 0; i < CHAIN; i++) {
                switch (i % 3) {
                    case 0:
                        y = Ops.mul(y, c);
                        break;
                    case 1:
                        y = Ops.add(y, b);
                        break;
                    default:
                        y = Ops.tanh(y);
                }
            }
            return y;
        }
    }

    @State(Scope.Benchmark)
    public static class Vjp {
        Tensor g;
        Tensor yUntracked;
        Tensor yTracked;

        @Setup
        public void setup() {
            g = Tensor.randn(4, 4);
            yUntracked = Ops.tanh(Tensor.randn(5, 4));
            yTracked = GradScope.open().watch(yUntracked);
        }
    }

    @Benchmark
    @OperationsPerInvocation(CHAIN)
    public Tensor forwardUntracked(Chain s) {
        return s.run(s.x0);
    }

    @Benchmark
    @OperationsPerInvocation(CHAIN)
    public Tensor forwardTracked(Chain s) {
        return s.run(GradScope.open().watch(s.x0));
    }

    @Benchmark
    @OperationsPerInvocation(CHAIN)
    public Value forwardBackward(Chain s) {
        return s.grad.call(s.x0);
    }

    /** The tanh VJP's expression on an untracked y: 4 primitive kernels, no graph. */
    @Benchmark
    @OperationsPerInvocation(CHAIN)
    public Tensor tanhVjpUntracked(Vjp s) {
        Tensor acc = s.g;
        for (int i = 0; i < CHAIN; i++) {
            acc = Ops.mul(s.g, Ops.sub(1, Ops.mul(s.yUntracked, s.yUntracked)));
        }
        return acc;
    }

    /** The same on a tracked y, as during backward: each of the 4 primitives records a node. */
    @Benchmark
    @OperationsPerInvocation(CHAIN)
    public Tensor tanhVjpTracked(Vjp s) {
        Tensor acc = s.g;
        for (int i = 0; i < CHAIN; i++) {
            acc = Ops.mul(s.g, Ops.sub(1, Ops.mul(s.yTracked, s.yTracked)));
        }
        return acc;
    }
}
