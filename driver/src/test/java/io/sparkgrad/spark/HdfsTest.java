package io.sparkgrad.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.nn.Adam;
import io.sparkgrad.spark.checkpoint.Checkpoint;
import io.sparkgrad.spark.checkpoint.CheckpointStore;
import io.sparkgrad.spark.io.RecordingFileSystem;
import io.sparkgrad.spark.io.HadoopFiles;
import io.sparkgrad.spark.metrics.MetricsRow;
import io.sparkgrad.spark.metrics.MetricsWriter;
import io.sparkgrad.spark.testing.LocalSpark;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A real HDFS in this JVM (MiniDFSCluster, one DataNode, all on 127.0.0.1): training data is read
 * from hdfs://, checkpoints are written there, and a run resumed from them ends where an
 * uninterrupted run ends.
 */
@LocalSpark(master = "local[2]")
class HdfsTest {
    @TempDir
    static Path base;
    static LoopbackHdfs hdfs;
    static String root;

    @BeforeAll
    static void startHdfs() throws Exception {
        hdfs = LoopbackHdfs.start(base);
        root = hdfs.root();
    }

    @AfterAll
    static void stopHdfs() {
        if (hdfs != null) {
            hdfs.close();
        }
    }

    private static void write(String path, String text) throws Exception {
        FileSystem fs = hdfs.fileSystem();
        try (OutputStream out = fs.create(new org.apache.hadoop.fs.Path(path), true)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static String csv(List<Sample> rows) {
        StringBuilder sb = new StringBuilder();
        for (Sample s : rows) {
            for (float v : s.features()) {
                sb.append(v).append(',');
            }
            sb.append((int) s.label()).append('\n');
        }
        return sb.toString();
    }

    private static TrainerBuilder trainer() {
        return DataParallelTrainer.builder(DistributedGradientTest.MLP, LossKind.SOFTMAX_CROSS_ENTROPY,
                p -> Adam.builder(p, 0.05).build()).batchSize(50).epochs(2).microBatch(16).seed(4);
    }

    @Test
    void readsTrainingDataFromHdfsAndResumesFromHdfsCheckpoints(SparkSession spark) throws Exception {
        List<Sample> rows = DistributedGradientTest.rows(200, 21, false, 3);
        write("/data/train.csv", csv(rows));
        DataLoader.Loaded loaded = DataLoader.load(spark, root + "/data/train.csv", DataLoader.Format.CSV,
                DataLoader.Options.defaults(), 2);
        assertEquals(DistributedGradientTest.DIM, loaded.dim());
        TrainingData data = loaded.pack();

        float[] whole = trainer().checkpoints(root + "/ckpt-whole", 3).build().fit(spark, data).flatParameters();
        TaskHook crash = (partition, step, attempt) -> {
            if (step == 5) {
                throw new IllegalStateException("simulated crash in step 5");
            }
        };
        assertThrows(Exception.class, () -> trainer().checkpoints(root + "/ckpt", 3).taskHook(crash).build().fit(spark, data));
        CheckpointStore store = new CheckpointStore(root + "/ckpt", spark.sparkContext().hadoopConfiguration());
        assertEquals(List.of(3L), store.steps());
        DataParallelTrainer.Result resumed = trainer().checkpoints(root + "/ckpt", 3).resume(true).build().fit(spark, data);
        assertEquals(4, resumed.history().get(0).step());
        assertArrayEquals(whole, resumed.flatParameters());
        assertEquals(List.of(3L, 6L, 8L), store.steps());
        assertArrayEquals(whole, store.latest().orElseThrow().values());
    }

    @ParameterizedTest
    @EnumSource(CheckpointScenarios.Damage.class)
    void resumesPastACorruptCheckpointOnHdfs(CheckpointScenarios.Damage d, SparkSession spark) throws Exception {
        CheckpointScenarios.resumePastACorruptCheckpoint(spark, root + "/corrupt-" + d, hdfs.conf(),
                new long[] {4}, 8, d, 5);
    }

    @ParameterizedTest
    @EnumSource(CheckpointScenarios.Damage.class)
    void restartsFromScratchWhenTheOnlyCheckpointOnHdfsIsCorrupt(CheckpointScenarios.Damage d, SparkSession spark)
            throws Exception {
        CheckpointScenarios.resumePastACorruptCheckpoint(spark, root + "/only-corrupt-" + d, hdfs.conf(),
                new long[] {}, 4, d, 1);
    }

    @Test
    void aCrashBetweenWriteAndRenameOnHdfsLeavesThePreviousCheckpointToResumeFrom(SparkSession spark) throws Exception {
        CheckpointScenarios.resumeAfterACrashBetweenWriteAndRename(spark, root + "/crashed", hdfs.conf());
    }

    @Test
    void checkpointsOnHdfsAreHsyncedBeforeTheRenameAndACrashBeforeItKeepsThePreviousOne() throws Exception {
        Configuration conf = hdfs.conf();
        FileSystem dfs = FileSystem.get(java.net.URI.create(root), conf);
        org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(root + "/durable");
        io.sparkgrad.ParameterTuple p = DistributedGradientTest.MLP.create().trainableParamTuple();
        io.sparkgrad.nn.Optimizer opt = Adam.builder(p, 0.05).build();
        Checkpoint one = Checkpoint.of(1, 0, 4, "mlp", p, opt.exportState());
        Checkpoint two = Checkpoint.of(2, 0, 4, "mlp", p, opt.exportState());
        Checkpoint three = Checkpoint.of(3, 0, 4, "mlp", p, opt.exportState());

        RecordingFileSystem recording = new RecordingFileSystem(dfs); // not closed: it would close the cached dfs
        CheckpointStore store = new CheckpointStore(recording, dir).keepLast(1);
        store.write(one);
        store.write(two);
        String n1 = CheckpointStore.fileName(1);
        String n2 = CheckpointStore.fileName(2);
        assertEquals(List.of("create ." + n1 + ".tmp", "hsync ." + n1 + ".tmp", "close ." + n1 + ".tmp",
                "rename ." + n1 + ".tmp " + n1, "create ." + n2 + ".tmp", "hsync ." + n2 + ".tmp",
                "close ." + n2 + ".tmp", "rename ." + n2 + ".tmp " + n2, "delete " + n1),
                recording.events().stream().map(e -> e.replaceAll("\\.tmp-[0-9a-f]+", ".tmp")).toList());

        RecordingFileSystem dying = new RecordingFileSystem(dfs).crashOnRename();
        assertThrows(RecordingFileSystem.SimulatedCrash.class,
                () -> new CheckpointStore(dying, dir).keepLast(1).write(three));
        List<String> left = CheckpointScenarios.names(dfs, dir);
        assertEquals(2, left.size(), left.toString());
        assertTrue(left.get(0).startsWith("." + CheckpointStore.fileName(3) + ".tmp-"), left.toString());
        assertEquals(n2, left.get(1));
        CheckpointStore next = new CheckpointStore(root + "/durable", conf);
        assertEquals(List.of(2L), next.steps());
        assertEquals(two, next.latest().orElseThrow());
        assertEquals(two, next.recover().orElseThrow());
        assertEquals(List.of(n2), CheckpointScenarios.names(dfs, dir));
    }

    @Test
    void aMalformedLineOnHdfsIsReportedWithItsFileLineAndField(SparkSession spark) throws Exception {
        write("/data/bad.csv", "1,2,3,4,5,0\n1,2,3,4,5,1\n1,2,3,oops,5,1\n");
        BadDataException e = assertThrows(BadDataException.class, () -> {
            try {
                DataLoader.load(spark, root + "/data/bad.csv", DataLoader.Format.CSV, DataLoader.Options.defaults(), 1)
                        .samples().count();
            } catch (Exception ex) { // Spark's Java API throws SparkException undeclared
                throw BadDataException.unwrap(ex);
            }
        });
        assertTrue(e.getMessage().endsWith("/data/bad.csv:3: field 4 'oops' is not a number"), e.getMessage());
        assertTrue(e.getMessage().startsWith("hdfs://"), e.getMessage());
    }

    @Test
    void metricsAreAppendedAndReplacedInPlaceOnHdfs() throws Exception {
        Configuration conf = hdfs.conf();
        FileSystem fs = FileSystem.get(java.net.URI.create(root), conf);
        org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(root + "/replace/one.txt");
        HadoopFiles.replace(fs, target, "old".getBytes(StandardCharsets.UTF_8));
        HadoopFiles.replace(fs, target, "new".getBytes(StandardCharsets.UTF_8)); // the atomic OVERWRITE rename
        try (java.io.InputStream in = fs.open(target)) {
            assertEquals("new", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        assertEquals(1, fs.listStatus(target.getParent()).length, "no temp or aside file left");

        MetricsWriter w = new MetricsWriter(root + "/metrics/metrics.csv", conf);
        for (int s = 1; s <= 6; s++) {
            w.append(MetricsRow.training(s, 0, 1.0 / s, null, null, null));
        }
        w.dropFrom(5);
        w.append(MetricsRow.training(5, 0, 0.125, null, null, null));
        w.writeLossPlot(root + "/metrics/loss.png", 300, 200);
        w.writeLossPlot(root + "/metrics/loss.png", 320, 200);
        MetricsWriter again = new MetricsWriter(root + "/metrics/metrics.csv", conf);
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), again.rows().stream().map(MetricsRow::step).toList());
        assertEquals(0.125, again.rows().get(4).loss());
        try (java.io.InputStream in = fs.open(new org.apache.hadoop.fs.Path(root + "/metrics/loss.png"))) {
            java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(in);
            assertEquals(320, img.getWidth());
        }
        assertEquals(2, fs.listStatus(new org.apache.hadoop.fs.Path(root + "/metrics")).length);
    }
}
