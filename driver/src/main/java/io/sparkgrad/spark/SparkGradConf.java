package io.sparkgrad.spark;

import org.apache.spark.SparkConf;

/**
 * The Spark settings a session that runs SparkGrad should start with: {@link KryoCheck#configure}'s
 * Kryo settings (required), and a broadcast piece size that fits G1's heap regions
 * ({@link #BROADCAST_BLOCK_SIZE}, unless the user set {@code spark.broadcast.blockSize}). The
 * CLI's, the tests' ({@link SparkSessions}) and the benchmarks' sessions start with them; a session
 * built by hand can call {@link #configure} on its conf before it starts.
 */
public final class SparkGradConf {
    /**
     * {@code spark.broadcast.blockSize}: 4095 KiB, where Spark's default is 4 MiB. Each step
     * broadcasts the parameters in pieces of this many bytes, and the driver keeps the pieces for
     * the step. G1 stores an array of at least half a region ("humongous") in whole regions of its
     * own; a {@code byte[4 MiB]} plus its 16-byte header needs 3 regions (6 MiB) at the 2 MiB
     * regions of a 4-8 GB heap, 5 (5 MiB) at 1 MiB. A piece of 4095 KiB plus its header fills 4, 2
     * or 1 whole regions of 1, 2 or 4 MiB, and is an ordinary object with 8 MiB regions or more.
     * Measured with the 10M-parameter model of {@code benchmarks/driver_heap.sh} at -Xmx6g: the
     * driver's live heap during a step went from 3.15 to 2.20 gradient sizes.
     */
    public static final String BROADCAST_BLOCK_SIZE = "4095k";

    private SparkGradConf() {
    }

    /** Sets SparkGrad's settings on {@code conf} (the broadcast piece size only if missing) and returns it. */
    public static SparkConf configure(SparkConf conf) {
        return KryoCheck.configure(conf).setIfMissing("spark.broadcast.blockSize", BROADCAST_BLOCK_SIZE);
    }
}
