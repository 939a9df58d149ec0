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
import org.apache.spark.storage.StorageLevel;

/**
 * Case {@code e} of {@link MllibSideBySide}: the driver JVM's heap during one gradient pass of a
 * large model, in gradient sizes (see {@link MllibSideBySide}'s class comment for what is counted).
 */
final class DriverHeap {
    private DriverHeap() {
    }

    /** Peak heap (all heap pools' peaks summed) during one pass over a large model, above the post-GC level. */
    static void measure(JavaSparkContext sc, int params, int parts) throws Exception {
        int in = 99;
        int hidden = Math.max(1, (params - 1) / (in + 2));
        ModelSpec spec = ModelSpec.parse("mlp:" + hidden + ",1", in, 1, 1);
        JavaRDD<DataBlock> blocks = MllibSideBySide.ourBlocks(sc, parts * 4, in, parts).persist(StorageLevel.MEMORY_ONLY());
        blocks.count();
        DistributedGradient dg = new DistributedGradient(sc, blocks,
                new PartitionGradient(spec, LossKind.BCE_WITH_LOGITS, TaskHook.NONE, 1), MllibSideBySide.arg("depth", 2));
        float[] p = spec.create().trainableParamTuple().flatten();
        long gradBytes = (long) p.length * Float.BYTES;
        StepPlan plan = StepPlan.fullBatch(TrainingData.BLOCK_ROWS);
        dg.compute(p, plan); // warm-up
        List<Double> multiples = new ArrayList<>();
        List<Double> upper = new ArrayList<>();
        AfterGc afterGc = new AfterGc();
        for (int r = 0; r < MllibSideBySide.arg("rounds", 3); r++) {
            System.gc();
            long base = heapUsed();
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                pool.resetPeakUsage();
            }
            afterGc.max.set(0);
            dg.compute(p, plan);
            long peak = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP) {
                    peak += pool.getPeakUsage().getUsed();
                }
            }
            upper.add((peak - base) / (double) gradBytes);
            multiples.add(Math.max(0, afterGc.max.get() - base) / (double) gradBytes);
        }
        afterGc.close();
        double[] m = multiples.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double[] u = upper.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        System.out.printf(Locale.ROOT, "HEAP,e_driver_heap_per_gradient,%.2f,%.2f,%.2f,%d,params=%d,gradientMB=%.1f,"
                        + "poolPeakIncludingGarbage=%.2f,maxHeapMB=%d%n",
                m[m.length / 2], m[0], m[m.length - 1], m.length, p.length, gradBytes / 1e6, u[u.length / 2],
                Runtime.getRuntime().maxMemory() >> 20);
        blocks.unpersist(true);
    }

    /**
     * The largest heap in use right after any garbage collection (live data at that moment, from
     * the GC notifications), while registered. The pools' peak usage also counts garbage not yet
     * collected, so it is printed only as an upper bound.
     */
    static final class AfterGc implements javax.management.NotificationListener, AutoCloseable {
        final java.util.concurrent.atomic.AtomicLong max = new java.util.concurrent.atomic.AtomicLong();
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
            max.accumulateAndGet(used, Math::max);
        }

        @Override
        public void close() throws javax.management.ListenerNotFoundException {
            for (javax.management.NotificationEmitter e : emitters) {
                e.removeNotificationListener(this);
            }
        }
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
