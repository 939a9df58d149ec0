package io.sparkgrad.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.sparkgrad.spark.testing.LocalSpark;
import java.util.List;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.BroadcastBlockId;
import org.apache.spark.storage.memory.MemoryStore;
import org.junit.jupiter.api.Test;

/**
 * {@link ModelReplica#withBroadcast(JavaSparkContext, float[], boolean, java.util.function.Function)}
 * with {@code waitForRemoval}: when it returns, the driver holds neither the broadcast's value nor
 * any of its serialised pieces (without waiting, they were still there in most steps).
 */
@LocalSpark(master = "local[2]")
class BroadcastRemovalTest {

    @Test
    void aWaitedForBroadcastIsGoneFromTheDriverWhenItReturns(SparkSession spark) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        float[] params = new float[2_500_000]; // 10 MB: three 4 MB pieces
        MemoryStore driver = SparkEnv.get().blockManager().memoryStore();
        for (int step = 0; step < 5; step++) {
            long id = ModelReplica.withBroadcast(sc, params, true, bc -> {
                List<Integer> lengths = sc.parallelize(List.of(1, 2), 2).map(x -> bc.value().length).collect();
                assertEquals(List.of(params.length, params.length), lengths);
                assertEquals(true, driver.contains(new BroadcastBlockId(bc.id(), "piece0")), "the pieces exist while the job runs");
                return bc.id();
            });
            assertFalse(driver.contains(new BroadcastBlockId(id, "")), "step " + step + ": the value is still on the driver");
            for (int piece = 0; piece < 3; piece++) {
                assertFalse(driver.contains(new BroadcastBlockId(id, "piece" + piece)),
                        "step " + step + ": piece " + piece + " is still on the driver");
            }
        }
    }
}
