package io.sparkgrad.bench;

import io.sparkgrad.spark.DataBlock;
import io.sparkgrad.spark.DistributedGradient;
import io.sparkgrad.spark.LossKind;
import io.sparkgrad.spark.ModelSpec;
import io.sparkgrad.spark.PartitionGradient;
import io.sparkgrad.spark.StepPlan;
import io.sparkgrad.spark.TaskHook;
import io.sparkgrad.spark.TrainingData;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * The driver JVM's heap during one gradient pass of a large model, in gradient sizes (issue 7:
 * at most 3x for a 10M-parameter gradient, no OOM at 512 MB of driver heap).
 *
 * <p>{@link #main} runs it on {@code local-cluster[executors,1,executorMB]} ({@link LocalCluster}),
 * so the executors are separate JVMs and what is measured is the driver alone; run it with
 * {@code benchmarks/driver_heap.sh [key=value ...]} ({@code SPARKGRAD_JAVA_OPTS=-Xmx512m} for the
 * no-OOM check; run_all.sh does both). Arguments: {@code heapParams=10000000 parts=8 depth=2
 * rounds=3 executors=2 executorMB=3072 gcEveryMs=20}. Case {@code e} of {@link MllibSideBySide}
 * runs the same {@link #measure} in that JVM's master, usually {@code local[2]}, where the
 * executor threads' model replicas and sums share the heap: a figure for driver and executors
 * together, printed with {@code executors=in-driver}.
 *
 * <p>The figure: before each measured pass the base, the lowest heap in use after three full GCs
 * 100 ms apart (a broadcast destroyed without waiting leaves the driver's copy of its pieces for
 * a few milliseconds: a base read at once can still hold the previous pass's, one gradient size,
 * and the figure then reads one less; the first committed driver-alone figures, 1.43 and 1.24,
 * were read so, before {@link DistributedGradient}'s large path waited for the removal); during
 * the pass a sampler thread forces a full GC every {@code gcEveryMs} milliseconds
 * ({@code 0}: only the full collections the JVM makes itself), and the largest heap in use right
 * after any full collection (live data at that moment, from the GC notifications) less the base, over the
 * gradient's bytes, is the multiple. With the driver alone and a large heap the JVM may not
 * collect at all during a pass, so without the sampler the figure would read 0; the number of
 * full collections seen is printed ({@code gcs}, the median over rounds). The heap pools' peak, which
 * counts garbage, is printed beside it as an upper bound.
 */
public final class DriverHeap {
    private DriverHeap() {
    }

    /** The driver-alone measurement on a local-cluster; prints the environment, the HEAP line, the environment. */
    public static void main(String[] args) throws Exception {
        SideBySide.parseArgs(args);
        int executors = SideBySide.arg("executors", 2);
        SparkSession spark = LocalCluster.start(LocalCluster.conf(executors, SideBySide.arg("executorMB", 3072),
                "sparkgrad-driver-heap"), executors);
        try {
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            SideBySide.printEnvironment(sc);
            measure(sc, SideBySide.arg("heapParams", 10_000_000), SideBySide.arg("parts", 8));
            SideBySide.printEnvironment(sc);
        } finally {
            spark.stop();
        }
    }

    /** Peak live heap during one pass over a large model, above the post-GC level before it, in gradient sizes. */
    static void measure(JavaSparkContext sc, int params, int parts) throws Exception {
        int in = 99;
        int hidden = Math.max(1, (params - 1) / (in + 2));
        ModelSpec spec = ModelSpec.parse("mlp:" + hidden + ",1", in, 1, 1);
        JavaRDD<DataBlock> blocks = MllibSideBySide.ourBlocks(sc, parts * 4, in, parts).persist(StorageLevel.MEMORY_ONLY());
        blocks.count();
        DistributedGradient dg = new DistributedGradient(sc, blocks,
                new PartitionGradient(spec, LossKind.BCE_WITH_LOGITS, TaskHook.NONE, 1), SideBySide.arg("depth", 2));
        float[] p = spec.create().trainableParamTuple().flatten();
        long gradBytes = (long) p.length * Float.BYTES;
        StepPlan plan = StepPlan.fullBatch(TrainingData.BLOCK_ROWS);
        int gcEveryMs = SideBySide.arg("gcEveryMs", 20);
        dg.compute(p, plan); // warm-up
        List<Double> multiples = new ArrayList<>();
        List<Double> upper = new ArrayList<>();
        List<Double> gcs = new ArrayList<>();
        AfterGc afterGc = new AfterGc();
        for (int r = 0; r < SideBySide.arg("rounds", 3); r++) {
            long base = settledHeap();
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                pool.resetPeakUsage();
            }
            afterGc.max.set(0);
            afterGc.count.set(0);
            try (GcSampler sampler = new GcSampler(gcEveryMs)) {
                dg.compute(p, plan);
            }
            long peak = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP) {
                    peak += pool.getPeakUsage().getUsed();
                }
            }
            upper.add((peak - base) / (double) gradBytes);
            multiples.add(Math.max(0, afterGc.max.get() - base) / (double) gradBytes);
            gcs.add((double) afterGc.count.get());
        }
        afterGc.close();
        double[] m = multiples.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double[] u = upper.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        System.out.printf(Locale.ROOT, "HEAP,e_driver_heap_per_gradient,%.2f,%.2f,%.2f,%d,params=%d,gradientMB=%.1f,"
                        + "poolPeakIncludingGarbage=%.2f,maxHeapMB=%d,executors=%s,gcs=%.0f,gcEveryMs=%d%n",
                m[m.length / 2], m[0], m[m.length - 1], m.length, p.length, gradBytes / 1e6, u[u.length / 2],
                Runtime.getRuntime().maxMemory() >> 20, sc.isLocal() ? "in-driver" : "separate",
                SideBySide.median(gcs), gcEveryMs);
        blocks.unpersist(true);
    }

    /** While open, a daemon thread forcing a full GC every {@code everyMs} milliseconds (none for 0). */
    static final class GcSampler implements AutoCloseable {
        private final Thread thread;
        private volatile boolean stop;

        GcSampler(int everyMs) {
            thread = everyMs <= 0 ? null : new Thread(() -> {
                while (!stop) {
                    System.gc();
                    try {
                        Thread.sleep(everyMs);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "driver-heap-gc-sampler");
            if (thread != null) {
                thread.setDaemon(true);
                thread.start();
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            if (thread != null) {
                thread.interrupt();
                thread.join();
            }
        }
    }

    /**
     * The largest heap in use right after a full garbage collection (live data at that moment, from
     * the GC notifications), while registered; a minor collection's figure would also count the
     * old generation's garbage. In use is G1's count, whole regions for a humongous array (one of
     * at least half a region): what the heap must hold. The pools' peak usage also counts garbage
     * not yet collected, so it is printed only as an upper bound.
     */
    static final class AfterGc implements javax.management.NotificationListener, AutoCloseable {
        final java.util.concurrent.atomic.AtomicLong max = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong count = new java.util.concurrent.atomic.AtomicLong();
        private final List<javax.management.NotificationEmitter> emitters = new ArrayList<>();

        private final java.util.Set<String> heapPools = new java.util.HashSet<>();

        AfterGc() {
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP) {
                    heapPools.add(pool.getName());
                }
            }
            for (java.lang.management.GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                if (gc instanceof javax.management.NotificationEmitter e) {
                    e.addNotificationListener(this, null, null);
                    emitters.add(e);
                }
            }
        }

        @Override
        public void handleNotification(javax.management.Notification n, Object handback) {
            if (!n.getType().equals(com.sun.management.GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
                return;
            }
            com.sun.management.GarbageCollectionNotificationInfo info = com.sun.management.GarbageCollectionNotificationInfo
                    .from((javax.management.openmbean.CompositeData) n.getUserData());
            long used = 0;
            for (Map.Entry<String, java.lang.management.MemoryUsage> e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                if (heapPools.contains(e.getKey())) { // the map may list non-heap pools too
                    used += e.getValue().getUsed();
                }
            }
            if (info.getGcAction().contains("major")) { // a minor GC leaves the old generation's garbage
                max.accumulateAndGet(used, Math::max);
                count.incrementAndGet();
            }
        }

        @Override
        public void close() throws javax.management.ListenerNotFoundException {
            for (javax.management.NotificationEmitter e : emitters) {
                e.removeNotificationListener(this);
            }
        }
    }

    /** The lowest heap in use after each of three full GCs, 100 ms apart. */
    static long settledHeap() throws InterruptedException {
        long min = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            if (i > 0) {
                Thread.sleep(100);
            }
            System.gc();
            min = Math.min(min, heapUsed());
        }
        return min;
    }

    static long heapUsed() {
        long used = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                used += pool.getUsage().getUsed();
            }
        }
        return used;
    }
}
