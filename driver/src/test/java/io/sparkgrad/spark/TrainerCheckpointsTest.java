package io.sparkgrad.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.spark.checkpoint.CheckpointDirectoryException;
import io.sparkgrad.spark.checkpoint.CheckpointStore;
import io.sparkgrad.spark.testing.LocalSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoint retention and the checkpoint-directory errors of a {@link DataParallelTrainer} run. */
@LocalSpark(master = "local[2]")
class TrainerCheckpointsTest {
    private static List<Sample> rows() {
        return DistributedGradientTest.rows(200, 4, true, 3);
    }

    /** 15 steps, a checkpoint after every second one and after the last: 2, 4, ..., 14, 15. */
    private static TrainerBuilder trainer(String dir) {
        return TrainerTest.trainer(TrainerTest.MLP, LossKind.SOFTMAX_CROSS_ENTROPY).checkpoints(dir, 2);
    }

    private static List<String> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static List<String> names(long... steps) {
        return java.util.Arrays.stream(steps).mapToObj(CheckpointStore::fileName).toList();
    }

    @Test
    void keepCheckpointsKeepsTheNewestFiveByDefaultNOrAll(SparkSession spark, @TempDir Path tmp) throws Exception {
        float[] byDefault = trainer(tmp.resolve("default").toString()).build()
                .fit(spark, TrainerTest.data(spark, rows(), 3)).flatParameters();
        assertEquals(names(8, 10, 12, 14, 15), files(tmp.resolve("default")));
        float[] two = trainer(tmp.resolve("two").toString()).keepCheckpoints(2).build()
                .fit(spark, TrainerTest.data(spark, rows(), 3)).flatParameters();
        assertEquals(names(14, 15), files(tmp.resolve("two")));
        float[] all = trainer(tmp.resolve("all").toString()).keepCheckpoints(0).build()
                .fit(spark, TrainerTest.data(spark, rows(), 3)).flatParameters();
        assertEquals(names(2, 4, 6, 8, 10, 12, 14, 15), files(tmp.resolve("all")));
        assertArrayEquals(byDefault, two);
        assertArrayEquals(byDefault, all);
        assertArrayEquals(byDefault, new CheckpointStore(tmp.resolve("two").toString()).read(15).values());
        assertEquals(TrainerConfig.DEFAULT_KEEP_CHECKPOINTS, trainer("x").config().keepCheckpoints());
        assertEquals(5, TrainerConfig.DEFAULT_KEEP_CHECKPOINTS);
        assertThrows(IllegalArgumentException.class, () -> trainer("x").keepCheckpoints(-1));
    }

    @Test
    void aRunIntoADirectoryOfAnEarlierRunWithoutResumeIsADirectoryError(SparkSession spark, @TempDir Path tmp)
            throws Exception {
        String dir = tmp.resolve("ckpt").toString();
        trainer(dir).steps(2).build().fit(spark, TrainerTest.data(spark, rows(), 3));
        byte[] before = Files.readAllBytes(tmp.resolve("ckpt").resolve(CheckpointStore.fileName(2)));
        CheckpointDirectoryException e = assertThrows(CheckpointDirectoryException.class,
                () -> trainer(dir).seed(8).build().fit(spark, TrainerTest.data(spark, rows(), 3)));
        assertEquals("the checkpoint directory " + dir + " already holds checkpoints of an earlier run (step 2);"
                + " resume from them, or use another checkpoint directory", e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(tmp.resolve("ckpt").resolve(CheckpointStore.fileName(2))));
    }

    @Test
    void resumingFromACheckpointOfAnotherSeedIsADirectoryError(SparkSession spark, @TempDir Path tmp) throws Exception {
        String dir = tmp.resolve("ckpt").toString();
        trainer(dir).steps(2).build().fit(spark, TrainerTest.data(spark, rows(), 3));
        CheckpointDirectoryException e = assertThrows(CheckpointDirectoryException.class,
                () -> trainer(dir).seed(8).resume(true).build().fit(spark, TrainerTest.data(spark, rows(), 3)));
        assertEquals("checkpoint 2 in " + dir + " was made with seed 7, this run has seed 8", e.getMessage());
        assertTrue(Files.exists(tmp.resolve("ckpt").resolve(CheckpointStore.fileName(2))));
    }
}
