package io.sparkgrad.spark;

import org.apache.spark.SparkConf;

/**
 * The Spark settings a session that runs SparkGrad should start with: {@link KryoCheck#configure}'s
 * Kryo settings (required), a broadcast piece size that fits G1's heap regions
 * ({@link #BROADCAST_BLOCK_SIZE}, unless the user set {@code spark.broadcast.blockSize}), and G1
 * regions of at least {@link #EXECUTOR_G1_REGION} for executors with less than 8 GiB of heap
 * (unless the user chose a region size for them). The
 * CLI's, the tests' ({@link SparkSessions}) and the benchmarks' sessions start with them; a session
 * built by hand can call {@link #configure} on its conf before it starts.
 */
public final class SparkGradConf {
    /**
     * {@code spark.broadcast.blockSize}: 4095 KiB, where Spark's default is 4 MiB. Each step
     * broadcasts the parameters in pieces of this many bytes, and the driver keeps the pieces for
     * the step. G1 stores an array of at least half a region ("humongous") in whole regions of its
     * own; a {@code byte[4 MiB]} plus its 16-byte header needs 3 regions (6 MiB) at the 2 MiB
     * regions of a 2-4 GB heap, 5 (5 MiB) at 1 MiB. A piece of 4095 KiB plus its header fills 4, 2
     * or 1 whole regions of 1, 2 or 4 MiB, and is an ordinary object with 8 MiB regions or more.
     * Measured with the 10M-parameter model of {@code benchmarks/driver_heap.sh} at -Xmx6g: the
     * driver's live heap during a step went from 3.15 to 2.20 gradient sizes.
     */
    public static final String BROADCAST_BLOCK_SIZE = "4095k";

    /**
     * The G1 region size executors get when their heap ({@code spark.executor.memory}) is under
     * 8 GiB. G1 aims at about 2048 regions and rounds up to a power of two (JDK 17, measured with
     * {@code -XX:+PrintFlagsFinal}): 1 MiB up to a 2 GB heap, Spark's default 1 GB executors
     * among them, 2 MiB up to 4 GB, 4 MiB up to 8 GB and more above, so the flag changes heaps
     * of 4 GB or less and leaves those of 4-8 GB as G1 would have them. G1 allocates an array of half a region or
     * more ("humongous") in whole regions of its own, outside the young generation, and each such
     * allocation may start a collection. A micro-batch's activations and their gradients are
     * {@code rows x width} floats (256 x 512 is 512 KiB), so with 1 MiB regions every one of them
     * is humongous. Measured on 2 cores ({@code benchmarks/cluster_scaling.sh}, an MLP
     * 256-512-512-10, 256 rows per micro-batch, one 1 GB executor, GC logs): 475 young collections
     * in 69 s, 464 of them started by a humongous allocation, and 3.7 s of GC CPU; with 4 MiB
     * regions 269 collections in 68 s (31 humongous) and 2.2 s. Two executors over one: 1.46-1.56
     * with 1 MiB regions, 1.71-1.78 with 4 MiB, three single-round runs each. 4 MiB leaves a 1 GB
     * heap 256 regions. {@code spark-submit.sh} gives a local master's driver JVM, where the tasks
     * run, the same size.
     */
    public static final String EXECUTOR_G1_REGION = "4m";

    private static final String EXECUTOR_DEFAULT_OPTIONS = "spark.executor.defaultJavaOptions";
    private static final String EXECUTOR_OPTIONS = "spark.executor.extraJavaOptions";
    private static final String REGION_FLAG = "G1HeapRegionSize";

    private SparkGradConf() {
    }

    /**
     * Sets SparkGrad's settings on {@code conf} and returns it: the Kryo settings; the broadcast
     * piece size if missing; and, if the executors' heap is under 8 GiB and neither
     * {@code spark.executor.defaultJavaOptions} nor {@code spark.executor.extraJavaOptions} names a
     * region size, {@code -XX:G1HeapRegionSize=}{@link #EXECUTOR_G1_REGION} appended to
     * {@code spark.executor.defaultJavaOptions}, which Spark puts before the extra options. Call
     * it after setting {@code spark.executor.memory}. It has no effect in local mode, where the
     * tasks run in the driver's JVM.
     */
    public static SparkConf configure(SparkConf conf) {
        KryoCheck.configure(conf).setIfMissing("spark.broadcast.blockSize", BROADCAST_BLOCK_SIZE);
        String defaults = conf.get(EXECUTOR_DEFAULT_OPTIONS, "");
        boolean chosen = defaults.contains(REGION_FLAG) || conf.get(EXECUTOR_OPTIONS, "").contains(REGION_FLAG);
        if (!chosen && conf.getSizeAsMb("spark.executor.memory", "1g") < 8192) {
            conf.set(EXECUTOR_DEFAULT_OPTIONS, (defaults + " -XX:" + REGION_FLAG + "=" + EXECUTOR_G1_REGION).strip());
        }
        return conf;
    }
}
