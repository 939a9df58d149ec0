package io.sparkgrad.bench;

import java.io.Serializable;
import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction2;
import scala.runtime.BoxedUnit;

/**
 * How much the executor JVMs' JIT compilers are still working: each executor's total compilation
 * time ({@code CompilationMXBean}, all compiler threads), read by one small task per partition of
 * a cached RDD (so each runs where the partition's block is), and a warm-up that runs passes until
 * that time stops growing.
 *
 * <p>Why: sampled per thread on 2 cores ({@code ClusterScaling}, 2026-12-08), the executors' C2
 * threads still took 3-40% of a core each, 60 s into a session of fresh executor JVMs, and the
 * driver's 2-27%. With one executor the compiler runs on the idle second core; with two it takes
 * the task threads' time (tasks got 45-77% of a core against 86-93% with one), so a ratio taken
 * while the executors still compile measures their warm-up, not the steady throughput a long job
 * sees.
 */
final class ExecutorJit {
    private ExecutorJit() {
    }

    /**
     * How a warm-up ended: the passes it ran, whether the compilers settled, the largest compile
     * share of its last window, and the executors' compilation times when it ended ({@link #read}).
     */
    record Settling(int passes, boolean settled, double lastShare, Map<String, Long> jit) {
        String describe() {
            return String.format(java.util.Locale.ROOT, "settle_passes=%d,settled=%b,last_jit_share=%.3f", passes,
                    settled, lastShare);
        }
    }

    /** Each executor's total JIT compilation time so far, in ms, by executor id. */
    static <T> Map<String, Long> read(JavaSparkContext sc, JavaRDD<T> cached) {
        Map<String, Long> out = new TreeMap<>();
        RDD<T> rdd = cached.rdd();
        sc.sc().runJob(rdd, new Reading<T>(), new AbstractFunction2<Object, String, BoxedUnit>() {
            @Override
            public BoxedUnit apply(Object partition, String r) {
                int at = r.lastIndexOf(':');
                out.merge(r.substring(0, at), Long.parseLong(r.substring(at + 1)), Math::max);
                return BoxedUnit.UNIT;
            }
        }, ClassTag$.MODULE$.<String>apply(String.class));
        return out;
    }

    /** Each executor's growth from {@code before} to {@code after}, in ms. */
    static Map<String, Long> growth(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> out = new TreeMap<>();
        after.forEach((id, ms) -> out.put(id, ms - before.getOrDefault(id, 0L)));
        return out;
    }

    /**
     * Runs {@code pass} in windows of {@code window} passes until, over one window, no executor's
     * compilers grew by more than {@code share} of the window's wall time, or {@code maxPasses}
     * have run ({@code maxPasses = 0}: none). One reading ends a window and starts the next.
     */
    static <T> Settling settle(JavaSparkContext sc, JavaRDD<T> cached, Runnable pass, int window, int maxPasses,
                               double share) {
        int passes = 0;
        double last = Double.NaN;
        Map<String, Long> before = read(sc, cached);
        while (passes < maxPasses) {
            long t0 = System.nanoTime();
            for (int i = 0; i < window; i++) {
                pass.run();
            }
            double ms = (System.nanoTime() - t0) / 1e6;
            passes += window;
            Map<String, Long> after = read(sc, cached);
            last = growth(before, after).values().stream().mapToLong(Long::longValue).max().orElse(0) / ms;
            before = after;
            if (last <= share) {
                return new Settling(passes, true, last, before);
            }
        }
        return new Settling(passes, false, last, before);
    }

    /** The task: this executor's id and its compilation time, as {@code id:ms}. */
    static final class Reading<T> extends AbstractFunction2<TaskContext, scala.collection.Iterator<T>, String>
            implements Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public String apply(TaskContext tc, scala.collection.Iterator<T> it) {
            return SparkEnv.get().executorId() + ":" + ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
        }
    }
}
