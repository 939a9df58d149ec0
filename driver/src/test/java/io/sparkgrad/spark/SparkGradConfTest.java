package io.sparkgrad.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.spark.testing.LocalSpark;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.BroadcastBlockId;
import org.apache.spark.util.io.ChunkedByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * {@link SparkGradConf}: the broadcast piece size is set unless the user set one; executors with
 * less than 8 GiB of heap get 4 MiB G1 regions unless the user chose a size; and a session
 * started with it ({@link SparkSessions}, as every {@code @LocalSpark} test's) cuts a broadcast
 * into pieces whose arrays, header included, fit whole G1 regions of 1, 2 and 4 MiB (Spark's
 * default 4 MiB pieces do not: 16 bytes over).
 */
@LocalSpark(master = "local[2]")
class SparkGradConfTest {

    @Test
    void setsThePieceSizeUnlessTheUserDid() {
        SparkConf conf = SparkGradConf.configure(new SparkConf(false));
        assertEquals("4095k", conf.get("spark.broadcast.blockSize"));
        assertEquals("true", conf.get("spark.kryo.registrationRequired"));
        assertEquals("8m", SparkGradConf.configure(new SparkConf(false).set("spark.broadcast.blockSize", "8m"))
                .get("spark.broadcast.blockSize"));
    }

    @Test
    void givesSmallExecutorHeapsLargerRegionsUnlessTheUserChoseASize() {
        String region = "-XX:G1HeapRegionSize=4m";
        // Spark's default 1 GB executors, whose G1 regions would be 1 MiB
        assertEquals(region, SparkGradConf.configure(new SparkConf(false)).get("spark.executor.defaultJavaOptions"));
        // kept: an administrator's defaults, before the region size; the user's extra options untouched
        SparkConf admin = SparkGradConf.configure(new SparkConf(false)
                .set("spark.executor.defaultJavaOptions", "-XX:+UseG1GC")
                .set("spark.executor.extraJavaOptions", "-Dx=1").set("spark.executor.memory", "4g"));
        assertEquals("-XX:+UseG1GC " + region, admin.get("spark.executor.defaultJavaOptions"));
        assertEquals("-Dx=1", admin.get("spark.executor.extraJavaOptions"));
        // configuring twice adds nothing
        assertEquals("-XX:+UseG1GC " + region,
                SparkGradConf.configure(admin).get("spark.executor.defaultJavaOptions"));
        // a size the user chose, in either option, and heaps of 8 GiB or more (G1's own regions are
        // 4 MiB or larger there) are left alone
        assertFalse(SparkGradConf.configure(new SparkConf(false)
                .set("spark.executor.extraJavaOptions", "-XX:G1HeapRegionSize=2m"))
                .contains("spark.executor.defaultJavaOptions"));
        assertEquals("-XX:G1HeapRegionSize=16m", SparkGradConf.configure(new SparkConf(false)
                .set("spark.executor.defaultJavaOptions", "-XX:G1HeapRegionSize=16m"))
                .get("spark.executor.defaultJavaOptions"));
        assertFalse(SparkGradConf.configure(new SparkConf(false).set("spark.executor.memory", "8g"))
                .contains("spark.executor.defaultJavaOptions"));
        assertEquals(region, SparkGradConf.configure(new SparkConf(false).set("spark.executor.memory", "8191m"))
                .get("spark.executor.defaultJavaOptions"));
    }

    @Test
    void aSessionsBroadcastPiecesFitWholeRegions(SparkSession spark) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        float[] params = new float[2_500_000]; // 10 MB of random values, which do not compress
        java.util.SplittableRandom r = new java.util.SplittableRandom(7);
        for (int i = 0; i < params.length; i++) {
            params[i] = (float) r.nextGaussian();
        }
        ModelReplica.withBroadcast(sc, params, true, bc -> {
            assertEquals(List.of(params.length), sc.parallelize(List.of(1), 1).map(x -> bc.value().length).collect());
            ChunkedByteBuffer piece = SparkEnv.get().blockManager().memoryStore()
                    .getBytes(new BroadcastBlockId(bc.id(), "piece0")).get();
            long arrayBytes = 16 + piece.size(); // a byte[]'s header and its elements
            assertEquals(4095 * 1024, piece.size());
            for (long region : new long[] {1 << 20, 2 << 20, 4 << 20}) {
                long waste = (region - arrayBytes % region) % region; // unused bytes of the piece's last region
                assertTrue(waste <= 64 * 1024, "a piece leaves " + waste + " bytes of its last " + (region >> 20)
                        + " MiB region unused");
            }
            assertTrue(arrayBytes < 4 << 20, "not humongous with 8 MiB regions");
            return null;
        });
    }
}
