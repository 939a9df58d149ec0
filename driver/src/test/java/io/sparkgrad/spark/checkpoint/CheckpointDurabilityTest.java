package io.sparkgrad.spark.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.spark.checkpoint.CheckpointTestSupport.Model;
import io.sparkgrad.spark.io.RecordingFileSystem;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint is synced before it is renamed into place, old ones are pruned only after that, and
 * a crash between the write and the rename leaves the previous checkpoint loadable (the HDFS case
 * is in {@code HdfsTest}).
 */
class CheckpointDurabilityTest {
    @TempDir
    java.nio.file.Path tmp;

    private java.nio.file.Path dir() {
        return tmp.resolve("ckpts");
    }

    private Path qualified() {
        return new Path(dir().toUri());
    }

    private List<String> listing() throws IOException {
        try (Stream<java.nio.file.Path> s = Files.list(dir())) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    static RecordingFileSystem recording() throws IOException {
        RawLocalFileSystem raw = new RawLocalFileSystem();
        raw.initialize(URI.create("file:///"), new Configuration());
        return new RecordingFileSystem(raw);
    }

    /** The events of the write of {@code step}, as names with the temp file's random part cut off. */
    private static List<String> normalised(List<String> events) {
        return events.stream().map(e -> e.replaceAll("\\.tmp-[0-9a-f]+", ".tmp")).collect(Collectors.toList());
    }

    @Test
    void theTempFileIsSyncedAndClosedBeforeTheRenameAndPruningComesAfterIt() throws IOException {
        RecordingFileSystem fs = recording();
        CheckpointStore store = new CheckpointStore(fs, qualified()).keepLast(1);
        Model m = new Model(5, 3, 7).trained(1);
        store.write(m.checkpoint(1, 0));
        m.opt.step(m.grads(2));
        store.write(m.checkpoint(2, 0));
        String one = CheckpointStore.fileName(1);
        String two = CheckpointStore.fileName(2);
        assertEquals(List.of(
                "create ." + one + ".tmp", "hsync ." + one + ".tmp", "close ." + one + ".tmp",
                "rename ." + one + ".tmp " + one,
                "create ." + two + ".tmp", "hsync ." + two + ".tmp", "close ." + two + ".tmp",
                "rename ." + two + ".tmp " + two,
                "delete " + one), normalised(fs.events()));
        assertEquals(List.of(two), listing());
        assertEquals(2, store.latest().orElseThrow().step());
    }

    @Test
    void aCrashBetweenWriteAndRenameLeavesThePreviousCheckpointLoadableAndPrunesNothing() throws IOException {
        Model m = new Model(5, 3, 7).trained(1);
        Checkpoint one = m.checkpoint(1, 0);
        new CheckpointStore(dir().toString()).write(one);
        m.opt.step(m.grads(2));
        Checkpoint two = m.checkpoint(2, 0);

        RecordingFileSystem fs = recording().crashOnRename();
        CheckpointStore dying = new CheckpointStore(fs, qualified()).keepLast(1);
        assertThrows(RecordingFileSystem.SimulatedCrash.class, () -> dying.write(two));
        // the dead process left its complete, synced temp file; nothing was renamed or pruned
        List<String> left = listing();
        assertEquals(2, left.size(), left.toString());
        assertEquals(CheckpointStore.fileName(1), left.get(1));
        String temp = left.get(0);
        assertTrue(temp.matches("\\." + CheckpointStore.fileName(2).replace(".", "\\.") + "\\.tmp-[0-9a-f]+"), temp);
        assertTrue(normalised(fs.events()).contains("hsync ." + CheckpointStore.fileName(2) + ".tmp"), fs.events().toString());
        assertEquals(CheckpointCodec.encodedLength(two), Files.size(dir().resolve(temp)));

        // the next run: the previous checkpoint loads, the temp file is no checkpoint, and recover() removes it
        CheckpointStore next = new CheckpointStore(dir().toString()).keepLast(1);
        assertEquals(List.of(1L), next.steps());
        assertEquals(Optional.of(one), next.latest());
        assertEquals(2, listing().size(), "latest() changes nothing");
        assertEquals(Optional.of(one), next.recover());
        assertEquals(List.of(CheckpointStore.fileName(1)), listing());
        next.write(two);
        assertEquals(List.of(CheckpointStore.fileName(2)), listing());
        assertEquals(two, next.read(2));
    }

    @Test
    void recoverMovesCorruptCheckpointsAsideUnderAFreeNameAndNeverDeletesThem() throws IOException {
        CheckpointStore store = new CheckpointStore(dir().toString());
        Model m = new Model(5, 3, 7).trained(1);
        Checkpoint one = m.checkpoint(1, 0);
        store.write(one);
        m.opt.step(m.grads(2));
        store.write(m.checkpoint(2, 0));
        m.opt.step(m.grads(3));
        store.write(m.checkpoint(3, 0));
        java.nio.file.Path two = dir().resolve(CheckpointStore.fileName(2));
        java.nio.file.Path three = dir().resolve(CheckpointStore.fileName(3));
        byte[] flipped = Files.readAllBytes(three);
        flipped[flipped.length / 2] ^= 0x55;
        Files.write(three, flipped);
        byte[] truncated = java.util.Arrays.copyOf(Files.readAllBytes(two), 40);
        Files.write(two, truncated);
        // an earlier run already moved a corrupt checkpoint 3 aside, so this one gets the next free name
        Files.write(dir().resolve(CheckpointStore.fileName(3) + ".corrupt"), new byte[] {7});

        assertEquals(Optional.of(one), store.latest());
        assertEquals(4, listing().size(), "latest() moves nothing");
        assertEquals(Optional.of(one), store.recover());
        assertEquals(List.of(CheckpointStore.fileName(1), CheckpointStore.fileName(2) + ".corrupt",
                CheckpointStore.fileName(3) + ".corrupt", CheckpointStore.fileName(3) + ".corrupt.1"), listing());
        assertArrayEquals(flipped, Files.readAllBytes(dir().resolve(CheckpointStore.fileName(3) + ".corrupt.1")));
        assertArrayEquals(truncated, Files.readAllBytes(dir().resolve(CheckpointStore.fileName(2) + ".corrupt")));
        assertArrayEquals(new byte[] {7}, Files.readAllBytes(dir().resolve(CheckpointStore.fileName(3) + ".corrupt")));
        assertEquals(List.of(1L), store.steps());
        assertEquals(Optional.of(one), store.recover(), "a second recover finds nothing more to move");
        assertEquals(4, listing().size());
    }

    @Test
    void recoverOfAnEmptyOrMissingDirectoryFindsNothing() throws IOException {
        CheckpointStore store = new CheckpointStore(dir().toString());
        assertEquals(Optional.empty(), store.recover());
        Files.createDirectories(dir());
        Files.write(dir().resolve("notes.txt"), new byte[] {1});
        Files.write(dir().resolve(".notes.txt.tmp-abc"), new byte[] {1});
        assertEquals(Optional.empty(), store.recover());
        assertEquals(List.of(".notes.txt.tmp-abc", "notes.txt"), listing(), "only a checkpoint's temp file is deleted");
    }
}
