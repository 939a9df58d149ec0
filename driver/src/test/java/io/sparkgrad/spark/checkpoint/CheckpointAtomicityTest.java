package io.sparkgrad.spark.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.spark.checkpoint.CheckpointTestSupport.Model;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FilterFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointAtomicityTest {
    @TempDir
    java.nio.file.Path tmp;

    private java.nio.file.Path dir() {
        return tmp.resolve("ckpts");
    }

    private List<String> listing() throws IOException {
        try (Stream<java.nio.file.Path> s = Files.list(dir())) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void anExistingCheckpointIsNeverOverwritten() throws IOException {
        CheckpointStore store = new CheckpointStore(dir().toString());
        Model m = new Model(5, 3, 7).trained(2);
        store.write(m.checkpoint(8, 0));
        java.nio.file.Path file = dir().resolve(CheckpointStore.fileName(8));
        byte[] before = Files.readAllBytes(file);

        m.opt.step(m.grads(3)); // different content, same step
        FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class,
                () -> store.write(m.checkpoint(8, 0)));
        assertTrue(e.getMessage().contains(CheckpointStore.fileName(8)), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file));
        assertEquals(List.of(CheckpointStore.fileName(8)), listing(), "no temp file left");
    }

    /** Local file system whose output streams fail after {@code failAfter} bytes, or on close when -1. */
    private static FilterFileSystem failing(long failAfter) throws IOException {
        RawLocalFileSystem raw = new RawLocalFileSystem();
        raw.initialize(URI.create("file:///"), new Configuration());
        return new FilterFileSystem(raw) {
            @Override
            public FSDataOutputStream create(Path f, FsPermission permission, boolean overwrite, int bufferSize,
                    short replication, long blockSize, Progressable progress) throws IOException {
                FSDataOutputStream real = super.create(f, permission, overwrite, bufferSize, replication, blockSize,
                        progress);
                OutputStream bad = new OutputStream() {
                    long written;

                    @Override
                    public void write(int b) throws IOException {
                        write(new byte[] {(byte) b}, 0, 1);
                    }

                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        if (failAfter >= 0 && written + len > failAfter) {
                            throw new IOException("simulated disk failure after " + written + " bytes");
                        }
                        real.write(b, off, len);
                        written += len;
                    }

                    @Override
                    public void flush() throws IOException {
                        real.flush();
                    }

                    @Override
                    public void close() throws IOException {
                        real.close();
                        if (failAfter < 0) {
                            throw new IOException("simulated failure on close");
                        }
                    }
                };
                return new FSDataOutputStream(bad, null);
            }
        };
    }

    private void assertFailedWriteLeavesNoTrace(FilterFileSystem fs, String expectedMessage) throws IOException {
        Model m = new Model(5, 3, 7).trained(2);
        Path qualified = new Path(dir().toUri());
        new CheckpointStore(dir().toString()).write(m.checkpoint(1, 0));
        byte[] before = Files.readAllBytes(dir().resolve(CheckpointStore.fileName(1)));

        CheckpointStore store = new CheckpointStore(fs, qualified);
        m.opt.step(m.grads(3));
        IOException e = assertThrows(IOException.class, () -> store.write(m.checkpoint(2, 0)));
        assertTrue(e.getMessage().contains(expectedMessage), e.getMessage());
        assertEquals(List.of(CheckpointStore.fileName(1)), listing(), "temp file deleted, nothing renamed");
        assertArrayEquals(before, Files.readAllBytes(dir().resolve(CheckpointStore.fileName(1))));
        assertEquals(List.of(1L), store.steps());
        assertEquals(1, store.latest().orElseThrow().step());
    }

    @Test
    void failureOnCloseLeavesNoTempFileAndKeepsEarlierCheckpoints() throws IOException {
        assertFailedWriteLeavesNoTrace(failing(-1), "simulated failure on close");
    }

    @Test
    void failureMidWriteLeavesNoTempFileAndKeepsEarlierCheckpoints() throws IOException {
        assertFailedWriteLeavesNoTrace(failing(100), "simulated disk failure");
    }

    @Test
    void aWorkingWrapperWritesNormally() throws IOException {
        // The same wrapper without a failure writes a readable checkpoint: the failures above are the
        // simulated ones, not an artefact of the wrapper.
        CheckpointStore store = new CheckpointStore(failing(Long.MAX_VALUE), new Path(dir().toUri()));
        Checkpoint c = new Model(5, 3, 7).trained(2).checkpoint(3, 0);
        store.write(c);
        assertEquals(c, store.read(3));
        assertEquals(List.of(CheckpointStore.fileName(3)), listing());
    }
}
