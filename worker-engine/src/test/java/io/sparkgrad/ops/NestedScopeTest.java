package io.sparkgrad.ops;

import static io.sparkgrad.TestSupport.assertBitwiseEqual;
import static io.sparkgrad.TestSupport.assertClose;
import static io.sparkgrad.TestSupport.f64;
import static io.sparkgrad.TestSupport.randn64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.DType;
import io.sparkgrad.ParameterTuple;
import io.sparkgrad.Tensor;
import io.sparkgrad.Value;
import io.sparkgrad.nn.Cell;
import io.sparkgrad.nn.Dense;
import io.sparkgrad.nn.LossCell;
import io.sparkgrad.nn.SequentialCell;
import io.sparkgrad.nn.Tanh;
import io.sparkgrad.nn.WithLossCell;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Nesting is decided by the data and the scope ({@link GradScope}), not by the thread or the call
 * stack: an inner gradient call on another thread is still nested, and a top-level call stays
 * top-level whatever other threads are doing.
 */
class NestedScopeTest {
    private static final GradOperation GRAD = new GradOperation();
    private static ExecutorService pool;

    @BeforeAll
    static void startPool() {
        pool = Executors.newFixedThreadPool(4);
    }

    @AfterAll
    static void stopPool() {
        pool.shutdownNow();
    }

    private static <T> T onAnotherThread(Callable<T> work) {
        Thread caller = Thread.currentThread();
        try {
            return pool.submit(() -> {
                assertFalse(Thread.currentThread() == caller, "must run on another thread");
                return work.call();
            }).get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** f(x) = sum(x^3) + (x0 x1)^2, whose Hessian is known in closed form. */
    private static Tensor f(Tensor x) {
        Tensor x0 = Ops.slice(x, new int[] {0}, new int[] {1});
        Tensor x1 = Ops.slice(x, new int[] {1}, new int[] {1});
        Tensor p = Ops.mul(x0, x1);
        return Ops.add(Ops.sum(Ops.pow(x, 3.0)), Ops.sum(Ops.mul(p, p)));
    }

    private static double[] closedFormHvp(double[] x, double[] v) {
        double[][] h = new double[3][3];
        for (int i = 0; i < 3; i++) {
            h[i][i] = 6 * x[i];
        }
        h[0][0] += 2 * x[1] * x[1];
        h[1][1] += 2 * x[0] * x[0];
        h[0][1] = h[1][0] = 4 * x[0] * x[1];
        double[] hv = new double[3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                hv[i] += h[i][j] * v[j];
            }
        }
        return hv;
    }

    @Test
    void hessianVectorProductWithTheInnerCallOnAnotherThread() {
        double[] xv = {0.5, -1.5, 2.0};
        double[] vv = {1.0, 2.0, -0.5};
        Tensor x = f64(xv, 3);
        Tensor v = f64(vv, 3);
        Tensor sameThread = GRAD.apply(xs -> Ops.sum(Ops.mul(GRAD.apply(a -> f(a[0])).tensor(xs[0]), v))).tensor(x);
        Tensor crossThread = GRAD.apply(xs -> {
            Tensor g = onAnotherThread(() -> GRAD.apply(a -> f(a[0])).tensor(xs[0]));
            return Ops.sum(Ops.mul(g, v));
        }).tensor(x);
        assertClose(closedFormHvp(xv, vv), sameThread, 1e-12);
        assertBitwiseEqual(sameThread, crossThread);
        // and with the sens form: a vector-Jacobian product of the gradient function
        Fn gradOnPool = xs -> onAnotherThread(() -> GRAD.apply(a -> f(a[0])).tensor(xs[0]));
        assertBitwiseEqual(sameThread, new GradOperation(false, false, true).apply(gradOnPool).tensor(x, v));
    }

    @Test
    void innerCallsOnAParallelStreamStayNested() {
        // d/dx sum_k (d/dx_k f)(x) * k, each inner gradient computed on a parallel stream
        Tensor x = f64(new double[] {0.3, -0.8, 1.1}, 3);
        Fn viaStream = xs -> {
            List<Tensor> parts = IntStream.range(0, 4).parallel()
                    .mapToObj(k -> Ops.mul(GRAD.apply(a -> f(a[0])).tensor(xs[0]), (double) (k + 1)))
                    .toList();
            Tensor total = parts.get(0);
            for (int k = 1; k < parts.size(); k++) {
                total = Ops.add(total, parts.get(k));
            }
            return Ops.sum(total);
        };
        Fn sequential = xs -> Ops.mul(Ops.sum(GRAD.apply(a -> f(a[0])).tensor(xs[0])), 10.0);
        Tensor expected = GRAD.apply(sequential).tensor(x);
        assertClose(closedFormHvp(x.toDoubleArray(), new double[] {10, 10, 10}), expected, 1e-12);
        assertClose(expected.toDoubleArray(), GRAD.apply(viaStream).tensor(x), 1e-12);
    }

    private static WithLossCell sharedNet() {
        SequentialCell mlp = new SequentialCell(
                Dense.builder(5, 8).seed(3).dtype(DType.FLOAT64).activation(new Tanh()).build(),
                Dense.builder(8, 2).seed(4).dtype(DType.FLOAT64).build());
        return new WithLossCell(mlp, LossCell.mse());
    }

    /** An input-space Hessian-vector product of a shared cell's loss, the inner call on the pool. */
    private static Tensor crossThreadHvp(Cell cell, long seed) {
        Tensor x = randn64(seed, 6, 5);
        Tensor y = randn64(seed + 1, 6, 2);
        Tensor v = randn64(seed + 2, 6, 5);
        return GRAD.apply(xs -> Ops.sum(Ops.mul(
                onAnotherThread(() -> GRAD.apply(a -> cell.call(a[0], y)).tensor(xs[0])), v))).tensor(x);
    }

    private static Tensor sameThreadHvp(Cell cell, long seed) {
        Tensor x = randn64(seed, 6, 5);
        Tensor y = randn64(seed + 1, 6, 2);
        Tensor v = randn64(seed + 2, 6, 5);
        return GRAD.apply(xs -> Ops.sum(Ops.mul(GRAD.apply(a -> cell.call(a[0], y)).tensor(xs[0]), v))).tensor(x);
    }

    @Test
    void nestedCallsThroughASharedCellOnFourThreadsAtOnce() throws Exception {
        WithLossCell shared = sharedNet();
        List<Tensor> reference = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            reference.add(sameThreadHvp(shared, 100 + t));
        }
        ExecutorService outer = Executors.newFixedThreadPool(4);
        CyclicBarrier start = new CyclicBarrier(4);
        try {
            List<Future<Integer>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                final int id = t;
                futures.add(outer.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    for (int it = 0; it < 20; it++) {
                        assertBitwiseEqual(reference.get(id), sameThreadHvp(shared, 100 + id));
                        assertBitwiseEqual(reference.get(id), crossThreadHvp(shared, 100 + id));
                    }
                    return id;
                }));
            }
            for (int t = 0; t < 4; t++) {
                assertEquals(t, futures.get(t).get(120, TimeUnit.SECONDS));
            }
        } finally {
            outer.shutdownNow();
        }
        // the values are a real second-order term, not zeros from a detached inner call
        double norm = 0;
        for (double d : reference.get(0).toDoubleArray()) {
            norm += d * d;
        }
        assertTrue(norm > 1e-6, "the HVP must not vanish: " + norm);
    }

    @Test
    void aTopLevelCallStaysTopLevelWhileAnotherThreadHoldsAScopeOpen() throws Exception {
        WithLossCell shared = sharedNet();
        ParameterTuple params = shared.trainableParamTuple();
        Tensor x = randn64(7, 6, 5);
        Tensor y = randn64(8, 6, 2);
        CountDownLatch insideOuter = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<Tensor> outer = pool.submit(() -> GRAD.apply(xs -> {
            insideOuter.countDown(); // this outer call stays open until the main thread is done
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return shared.call(xs[0], y);
        }).tensor(x));
        try {
            assertTrue(insideOuter.await(30, TimeUnit.SECONDS));
            Value g = new GradOperation(false, true, false).apply(shared, params).call(x, y);
            for (int i = 0; i < g.arity(); i++) {
                assertFalse(Ops.isTracked(g.get(i).tensor()), "parameter gradient " + i + " must be detached");
            }
        } finally {
            release.countDown();
        }
        assertFalse(Ops.isTracked(outer.get(30, TimeUnit.SECONDS)));
    }

    @Test
    void aClosedScopeNoLongerMakesResultsTracked() {
        Tensor watched;
        try (GradScope scope = GradScope.open()) {
            watched = scope.watch(f64(new double[] {1, 2}, 2));
            assertTrue(Ops.isTracked(Ops.mul(watched, watched)));
        }
        // a leftover tensor of a finished call, used later as data: a top-level call
        Tensor g = GRAD.apply(a -> Ops.sum(Ops.mul(a[0], a[0]))).tensor(watched);
        assertClose(new double[] {2, 4}, g, 0);
        assertFalse(Ops.isTracked(g));
        assertThrows(IllegalStateException.class, () -> closedScope().watch(Tensor.of(1f)));
    }

    private static GradScope closedScope() {
        GradScope s = GradScope.open();
        s.close();
        assertFalse(s.isOpen());
        return s;
    }

    @Test
    void createGraphKeepsATopLevelResultTracked() {
        Tensor x = f64(new double[] {0.5, 2}, 2);
        GradOperation keep = GradOperation.builder().createGraph(true).build();
        assertTrue(keep.createGraph());
        Tensor g = keep.apply(a -> Ops.sum(Ops.pow(a[0], 3.0))).tensor(x);
        assertClose(new double[] {0.75, 12}, g, 1e-15);
        assertTrue(Ops.isTracked(g), "createGraph: the gradient stays in the graph");
        assertFalse(Ops.isTracked(GRAD.apply(a -> Ops.sum(Ops.pow(a[0], 3.0))).tensor(x)));
    }

    @Test
    void aParameterHessianNeedsCreateGraphAndGetsTheSecondOrderTerm() {
        // L(w) = sum(w^4); the inner call is linked to the outer one only through w
        io.sparkgrad.Parameter w = new io.sparkgrad.Parameter(f64(new double[] {0.5, -1.0}, 2), "w");
        ParameterTuple params = ParameterTuple.of(w);
        GradOperation byList = new GradOperation(false, true, false);
        GradOperation innerKeep = GradOperation.builder().getByList(true).createGraph(true).build();
        Tensor one = f64(new double[] {0}, 1);
        // d/dw sum(dL/dw) = d/dw sum(4 w^3) = 12 w^2
        Value h = byList.apply(xs -> Ops.sum(innerKeep.apply(a -> Ops.sum(Ops.pow(w, 4.0)), params)
                .call(xs[0]).get(0).tensor()), params).call(one);
        assertClose(new double[] {3, 12}, h.get(0).tensor(), 1e-12);
    }
}
