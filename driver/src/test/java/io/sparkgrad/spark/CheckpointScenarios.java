package io.sparkgrad.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.spark.checkpoint.CheckpointStore;
import io.sparkgrad.spark.io.HadoopFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * Resume scenarios shared by the file:// and the HDFS tests: a checkpoint directory is put in the
 * state a crashed run leaves (copies of an uninterrupted run's checkpoints, one of them damaged, or
 * a temp file of a write that never reached its rename), then a resumed run must end bit for bit
 * where the uninterrupted run ended.
 */
final class CheckpointScenarios {
    private CheckpointScenarios() {
    }

    /** How a checkpoint file is damaged. */
    enum Damage {
        FLIPPED_BYTE, TRUNCATED;

        byte[] apply(byte[] b) {
            if (this == TRUNCATED) {
                return Arrays.copyOf(b, b.length * 2 / 3);
            }
            byte[] c = b.clone();
            c[c.length / 2] ^= 0x55;
            return c;
        }
    }

    static final List<Sample> ROWS = DistributedGradientTest.rows(200, 4, true, 3);

    /** 200 rows, 40 per step, 3 epochs: 15 steps, checkpoints after steps 4, 8, 12 and 15. */
    static TrainerBuilder trainer(String dir) {
        return TrainerTest.trainer(TrainerTest.MLP, LossKind.SOFTMAX_CROSS_ENTROPY).checkpoints(dir, 4);
    }

    private static float[] wholeParams;
    private static Map<Long, byte[]> wholeFiles;

    /** The uninterrupted run, once per JVM: its final parameters and its checkpoint files' bytes. */
    static synchronized void uninterrupted(SparkSession spark) throws IOException {
        if (wholeParams != null) {
            return;
        }
        java.nio.file.Path dir = Files.createTempDirectory("sparkgrad-whole");
        try {
            wholeParams = trainer(dir.toUri().toString()).build().fit(spark, TrainerTest.data(spark, ROWS, 3))
                    .flatParameters();
            Map<Long, byte[]> files = new TreeMap<>();
            for (long s : new long[] {4, 8, 12, 15}) {
                java.nio.file.Path f = dir.resolve(CheckpointStore.fileName(s));
                files.put(s, Files.readAllBytes(f));
                Files.delete(f);
            }
            wholeFiles = files;
        } finally {
            Files.deleteIfExists(dir);
        }
    }

    static byte[] bytes(long step) {
        return wholeFiles.get(step).clone();
    }

    static void put(FileSystem fs, Path p, byte[] bytes) throws IOException {
        try (OutputStream out = fs.create(p, false)) {
            out.write(bytes);
        }
    }

    static byte[] get(FileSystem fs, Path p) throws IOException {
        try (InputStream in = fs.open(p)) {
            return in.readAllBytes();
        }
    }

    static List<String> names(FileSystem fs, Path dir) throws IOException {
        return Arrays.stream(fs.listStatus(dir)).map(FileStatus::getPath).map(Path::getName).sorted().toList();
    }

    /**
     * {@code good} checkpoints are in place and {@code damaged} is a damaged copy of the uninterrupted
     * run's checkpoint of that step; the resumed run starts at {@code firstStep}, ends bit for bit at
     * the uninterrupted run's parameters, and leaves the damaged file aside, unchanged.
     */
    static void resumePastACorruptCheckpoint(SparkSession spark, String dir, Configuration conf, long[] good,
            long damaged, Damage d, long firstStep) throws IOException {
        uninterrupted(spark);
        Path p = new Path(dir);
        FileSystem fs = HadoopFiles.raw(p.getFileSystem(conf)); // no .crc side files
        fs.mkdirs(p);
        for (long s : good) {
            put(fs, new Path(p, CheckpointStore.fileName(s)), bytes(s));
        }
        byte[] bad = d.apply(bytes(damaged));
        put(fs, new Path(p, CheckpointStore.fileName(damaged)), bad);

        DataParallelTrainer.Result r = trainer(dir).resume(true).build().fit(spark, TrainerTest.data(spark, ROWS, 3));
        assertEquals(firstStep, r.history().get(0).step());
        assertEquals(15 - firstStep + 1, r.history().size());
        assertArrayEquals(wholeParams, r.flatParameters());

        CheckpointStore store = new CheckpointStore(dir, conf);
        assertEquals(List.of(4L, 8L, 12L, 15L), store.steps());
        assertArrayEquals(wholeParams, store.latest().orElseThrow().values());
        for (long s : new long[] {4, 8, 12, 15}) { // the rewritten checkpoint equals the uninterrupted run's
            assertArrayEquals(wholeFiles.get(s), get(fs, store.pathFor(s)), "checkpoint " + s);
        }
        Path aside = new Path(p, CheckpointStore.fileName(damaged) + ".corrupt");
        assertTrue(fs.exists(aside), "moved aside: " + names(fs, p));
        assertArrayEquals(bad, get(fs, aside), "the damaged file is kept as it was");
        assertEquals(5, names(fs, p).size(), names(fs, p).toString());
    }

    /**
     * A run died between writing the checkpoint of step 8 to its temp file and renaming it: the
     * previous checkpoint (4) is what the resumed run starts from, it ends bit for bit at the
     * uninterrupted run's parameters, and the temp file is gone.
     */
    static void resumeAfterACrashBetweenWriteAndRename(SparkSession spark, String dir, Configuration conf)
            throws IOException {
        uninterrupted(spark);
        Path p = new Path(dir);
        FileSystem fs = HadoopFiles.raw(p.getFileSystem(conf)); // no .crc side files
        fs.mkdirs(p);
        put(fs, new Path(p, CheckpointStore.fileName(4)), bytes(4));
        Path temp = new Path(p, "." + CheckpointStore.fileName(8) + ".tmp-5eed");
        put(fs, temp, bytes(8));
        CheckpointStore store = new CheckpointStore(dir, conf);
        assertEquals(List.of(4L), store.steps(), "the temp file is not a checkpoint");
        assertEquals(4, store.latest().orElseThrow().step());

        DataParallelTrainer.Result r = trainer(dir).resume(true).build().fit(spark, TrainerTest.data(spark, ROWS, 3));
        assertEquals(5, r.history().get(0).step());
        assertArrayEquals(wholeParams, r.flatParameters());
        assertFalse(fs.exists(temp), "the leftover temp file was cleaned up: " + names(fs, p));
        assertEquals(List.of(CheckpointStore.fileName(4), CheckpointStore.fileName(8), CheckpointStore.fileName(12),
                CheckpointStore.fileName(15)), names(fs, p));
    }
}
