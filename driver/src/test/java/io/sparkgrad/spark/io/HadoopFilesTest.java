package io.sparkgrad.spark.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FilterFileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HadoopFilesTest {
    @TempDir
    java.nio.file.Path tmp;

    private static RawLocalFileSystem rawLocal() throws IOException {
        RawLocalFileSystem raw = new RawLocalFileSystem();
        raw.initialize(URI.create("file:///"), new Configuration());
        return raw;
    }

    private List<String> listing() throws IOException {
        try (Stream<java.nio.file.Path> s = Files.list(tmp)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    private Path target() {
        return new Path(tmp.resolve("out.txt").toUri());
    }

    private String content() throws IOException {
        return Files.readString(tmp.resolve("out.txt"));
    }

    /**
     * The local file system, except that a rename onto an existing file refuses (as HDFS's plain
     * rename and object stores do), and {@code failPlacing} makes the rename of a temp file onto the
     * target fail. Records every rename it is asked for.
     */
    private static final class NoOverwriteRename extends FilterFileSystem {
        final boolean failPlacing;
        final List<String> renames = new ArrayList<>();

        NoOverwriteRename(boolean failPlacing) throws IOException {
            super(rawLocal());
            this.failPlacing = failPlacing;
        }

        @Override
        public boolean rename(Path src, Path dst) throws IOException {
            renames.add(src.getName() + " -> " + dst.getName());
            if (exists(dst)) {
                return false;
            }
            if (failPlacing && src.getName().contains(".tmp-")) {
                throw new IOException("simulated rename failure");
            }
            return super.rename(src, dst);
        }
    }

    /** Raw local, recording every path it resolved to a local file, in order. */
    private static final class SyncRecording extends RawLocalFileSystem {
        final List<String> resolved = new ArrayList<>();

        SyncRecording() throws IOException {
            initialize(URI.create("file:///"), new Configuration());
        }

        @Override
        public java.io.File pathToFile(Path path) {
            java.io.File f = super.pathToFile(path);
            resolved.add(f.getName());
            return f;
        }
    }

    @Test
    void onTheLocalFileSystemTheDirectoryIsSyncedAfterEachRename() throws IOException {
        assertTrue(HadoopFiles.syncDirectory(rawLocal(), new Path(tmp.toUri())), "fsync of a local directory");
        assertFalse(HadoopFiles.syncDirectory(new NoOverwriteRename(false), new Path(tmp.toUri())),
                "not the raw local file system: nothing to sync");
        String dir = tmp.getFileName().toString();
        SyncRecording fs = new SyncRecording();
        HadoopFiles.createNew(fs, target(), out -> out.write(1), 1);
        // the rename onto out.txt is the last use of the target's name; the directory comes after it
        List<String> r = fs.resolved;
        assertEquals(dir, r.get(r.size() - 1), r.toString());
        assertEquals("out.txt", r.get(r.size() - 2), r.toString());
        r.clear();
        HadoopFiles.replace(fs, target(), new byte[] {2});
        assertEquals(dir, r.get(r.size() - 1), r.toString());
        assertEquals("out.txt", r.get(r.size() - 2), r.toString());
        assertArrayEquals(new byte[] {2}, Files.readAllBytes(tmp.resolve("out.txt")));
    }

    @Test
    void replaceWritesANewFileAndReplacesAnOldOneLeavingNoTempFiles() throws IOException {
        FileSystem fs = rawLocal();
        HadoopFiles.replace(fs, target(), "first".getBytes(StandardCharsets.UTF_8));
        assertEquals("first", content());
        HadoopFiles.replace(fs, target(), "second, longer".getBytes(StandardCharsets.UTF_8));
        assertEquals("second, longer", content());
        HadoopFiles.replace(fs, target(), new byte[0]);
        assertEquals("", content());
        assertEquals(List.of("out.txt"), listing());
    }

    @Test
    void whereRenameDoesNotOverwriteTheOldFileIsRenamedAsideThenDeleted() throws IOException {
        Files.writeString(tmp.resolve("out.txt"), "old");
        NoOverwriteRename fs = new NoOverwriteRename(false);
        HadoopFiles.replace(fs, target(), "new".getBytes(StandardCharsets.UTF_8));
        assertEquals("new", content());
        assertEquals(List.of("out.txt"), listing(), "no temp or aside file left");
        assertEquals(3, fs.renames.size(), fs.renames.toString());
        assertTrue(fs.renames.get(0).matches("\\.out\\.txt\\.tmp-[0-9a-f]+ -> out\\.txt"), fs.renames.toString());
        assertTrue(fs.renames.get(1).matches("out\\.txt -> \\.out\\.txt\\.old-[0-9a-f]+"), fs.renames.toString());
        assertTrue(fs.renames.get(2).matches("\\.out\\.txt\\.tmp-[0-9a-f]+ -> out\\.txt"), fs.renames.toString());
    }

    @Test
    void aFailedRenameIntoPlaceRestoresTheOldFile() throws IOException {
        Files.writeString(tmp.resolve("out.txt"), "old");
        NoOverwriteRename fs = new NoOverwriteRename(true);
        IOException e = assertThrows(IOException.class,
                () -> HadoopFiles.replace(fs, target(), "new".getBytes(StandardCharsets.UTF_8)));
        assertEquals("simulated rename failure", e.getMessage());
        assertEquals("old", content(), "the old content is back under the target name");
        assertEquals(List.of("out.txt"), listing(), "temp file deleted, aside file renamed back");
    }

    @Test
    void aFailedWriteLeavesTheOldFileAndNoTempFile() throws IOException {
        Files.writeString(tmp.resolve("out.txt"), "old");
        IOException e = assertThrows(IOException.class, () -> HadoopFiles.replace(rawLocal(), target(), out -> {
            out.write("half of the new".getBytes(StandardCharsets.UTF_8));
            throw new IOException("simulated disk full");
        }));
        assertEquals("simulated disk full", e.getMessage());
        assertEquals("old", content());
        assertEquals(List.of("out.txt"), listing());
    }

    @Test
    void createNewNeverReplacesAndChecksTheLength() throws IOException {
        FileSystem fs = rawLocal();
        byte[] abc = "abc".getBytes(StandardCharsets.UTF_8);
        HadoopFiles.createNew(fs, target(), out -> out.write(abc), 3);
        assertArrayEquals(abc, Files.readAllBytes(tmp.resolve("out.txt")));
        assertThrows(FileAlreadyExistsException.class, () -> HadoopFiles.createNew(fs, target(), out -> out.write(1), -1));
        assertEquals("abc", content());

        Path other = new Path(tmp.resolve("other.bin").toUri());
        IOException e = assertThrows(IOException.class, () -> HadoopFiles.createNew(fs, other, out -> out.write(abc), 4));
        assertTrue(e.getMessage().endsWith(" holds 3 bytes after close, expected 4"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("other.bin")));
        assertEquals(List.of("out.txt"), listing());
    }

    @Test
    void rawUnwrapsOnlyTheChecksummedLocalFileSystem() throws IOException {
        LocalFileSystem local = FileSystem.getLocal(new Configuration());
        assertSame(local.getRawFileSystem(), HadoopFiles.raw(local));
        FileSystem raw = rawLocal();
        assertSame(raw, HadoopFiles.raw(raw));
        assertTrue(HadoopFiles.fileSystemOf(new Path(tmp.toUri()), new Configuration()) instanceof RawLocalFileSystem);
    }
}
