package io.sparkgrad;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparkgrad.nn.Cell;
import io.sparkgrad.nn.Dense;
import io.sparkgrad.nn.LossCell;
import io.sparkgrad.nn.ReLU;
import io.sparkgrad.nn.SequentialCell;
import io.sparkgrad.nn.WithLossCell;
import io.sparkgrad.ops.GradOperation;
import io.sparkgrad.ops.Ops;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Concurrent gradient calls, on private cells and on one shared cell (including nested calls: a
 * Hessian-vector product), give bitwise the results of the same calls made one after another on
 * one thread.
 */
class ThreadSafetyTest {
    private static final int THREADS = 4;
    private static final int ITERATIONS = 100;

    private static WithLossCell net(long seed) {
        // 40*48*48 flops is above Blas.SMALL_FLOPS, so the middle layer goes through the BLAS backend
        SequentialCell mlp = new SequentialCell(
                Dense.builder(12, 48).seed(seed).activation(new ReLU()).build(),
                Dense.builder(48, 48).seed(seed + 1).activation(new ReLU()).build(),
                Dense.builder(48, 3).seed(seed + 2).build());
        return new WithLossCell(mlp, LossCell.softmaxCrossEntropy());
    }

    private static Tensor data(long seed) {
        return Tensor.randn(seed, 40, 12);
    }

    private static Tensor labels(long seed) {
        Tensor u = Tensor.uniform(seed, 0, 3, 40);
        float[] l = new float[40];
        for (int i = 0; i < 40; i++) {
            l[i] = (float) Math.floor(u.getFlat(i));
        }
        return Tensor.of(l);
    }

    /** A Hessian-vector product through the shared cell: nested gradient calls on this thread. */
    private static Tensor hvp(Cell cell, long dataSeed) {
        GradOperation inner = new GradOperation();
        Tensor x = data(dataSeed);
        Tensor y = labels(dataSeed + 100);
        Tensor v = Tensor.randn(dataSeed + 7, 40, 12);
        return new GradOperation().apply(xs -> Ops.sum(Ops.mul(inner.apply(a -> cell.call(a[0], y)).tensor(xs[0]), v)))
                .tensor(x);
    }

    private static List<Tensor> grads(GradOperation op, Cell cell, long dataSeed) {
        Value v = op.apply(cell, cell.trainableParamTuple()).call(data(dataSeed), labels(dataSeed + 100));
        List<Tensor> out = new ArrayList<>();
        for (int i = 0; i < v.arity(); i++) {
            out.add(v.get(i).tensor());
        }
        return out;
    }

    @Test
    void concurrentGradientsAreBitwiseTheSequentialOnes() throws Exception {
        GradOperation op = new GradOperation(false, true, false); // one shared, immutable instance
        WithLossCell shared = net(1000);
        // single-threaded reference results
        List<List<Tensor>> refOwn = new ArrayList<>();
        List<List<Tensor>> refShared = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            refOwn.add(grads(op, net(t * 10L), t));
            refShared.add(grads(op, shared, 50 + t));
            refShared.get(t).add(hvp(shared, 70 + t));
        }
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        CyclicBarrier start = new CyclicBarrier(THREADS);
        try {
            List<Future<Integer>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                final int id = t;
                Callable<Integer> task = () -> {
                    WithLossCell own = net(id * 10L);
                    start.await(30, TimeUnit.SECONDS);
                    int compared = 0;
                    for (int it = 0; it < ITERATIONS; it++) {
                        List<Tensor> a = grads(op, own, id);
                        List<Tensor> b = grads(op, shared, 50 + id);
                        b.add(hvp(shared, 70 + id));
                        compared += compare(refOwn.get(id), a) + compare(refShared.get(id), b);
                    }
                    return compared;
                };
                futures.add(pool.submit(task));
            }
            for (Future<Integer> f : futures) {
                assertEquals(ITERATIONS * (6 + 7), f.get(120, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Throws on the first differing bit; returns the number of tensors compared. */
    private static int compare(List<Tensor> expected, List<Tensor> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            TestSupport.assertBitwiseEqual(expected.get(i), actual.get(i));
        }
        return expected.size();
    }
}
