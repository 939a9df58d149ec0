package io.sparkgrad.spark.io;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.hdfs.DistributedFileSystem;

/**
 * Atomic file writes on any Hadoop {@link FileSystem}, and the one place that swaps the local
 * checksummed file system for the raw one.
 *
 * <p>Both writes stream the content to a temporary sibling of the target,
 * {@code .<name>.tmp-<random hex>}, sync it ({@code hsync}, or a flush where the stream cannot
 * sync), close it, and only then rename it to the target. Until that rename the target is
 * untouched; on any failure the temporary file is deleted and the exception propagates. On the
 * local file system the parent directory is fsynced after the rename too ({@link #syncDirectory}),
 * so that the rename itself survives a power loss, not only the file's bytes; HDFS makes a rename
 * durable in the NameNode's edit log before it returns.
 *
 * <ul>
 *   <li>{@link #createNew} never replaces an existing target: it fails with a
 *       {@link FileAlreadyExistsException} (checked before writing and again before the rename).</li>
 *   <li>{@link #replace} puts the new content in place of the old. It never deletes the target
 *       before the new file is renamed:
 *       <ul>
 *         <li>on HDFS the rename is the NameNode's atomic {@code rename(..., OVERWRITE)};</li>
 *         <li>on a file system whose plain rename replaces the target (the local one: POSIX
 *             {@code rename(2)}), that rename is used, so a reader sees the old file or the new
 *             one and never no file;</li>
 *         <li>where the plain rename refuses to replace (object stores and the like) the old file
 *             is first renamed aside to {@code .<name>.old-<random hex>}, the new one renamed into
 *             place, and the old one deleted. If the second rename fails the old file is renamed
 *             back, so a failed write leaves the old content under the target name.</li>
 *       </ul></li>
 * </ul>
 *
 * <p>Stateless; safe to call from any thread. Concurrent writers of the same target are not
 * coordinated: the last rename wins.
 */
public final class HadoopFiles {
    private static final System.Logger LOG = System.getLogger(HadoopFiles.class.getName());

    private HadoopFiles() {
    }

    /** Writes a file's content to a stream; the stream is closed by the caller. */
    @FunctionalInterface
    public interface Content {
        /** Writes the whole content to {@code out}. */
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * {@code fs} itself, or for Hadoop's checksummed {@link LocalFileSystem} the raw local file
     * system under it: no {@code .crc} side files are written, appends work, and the formats
     * written through it carry their own checksums where they need them.
     */
    public static FileSystem raw(FileSystem fs) {
        Objects.requireNonNull(fs, "fs");
        return fs instanceof LocalFileSystem ? ((LocalFileSystem) fs).getRawFileSystem() : fs;
    }

    /** The {@link #raw} file system that {@code conf} resolves {@code path} to. */
    public static FileSystem fileSystemOf(Path path, Configuration conf) throws IOException {
        return raw(path.getFileSystem(Objects.requireNonNull(conf, "conf")));
    }

    /**
     * Writes a new file {@code target} atomically: the content appears under the target name
     * complete, or not at all.
     *
     * @param expectedLength the number of bytes {@code content} must write, checked on the closed
     *     temporary file before the rename; negative to skip the check
     * @throws FileAlreadyExistsException if {@code target} exists (it is left as is)
     * @throws IOException on any I/O failure; the temporary file is then deleted
     */
    public static void createNew(FileSystem fs, Path target, Content content, long expectedLength)
            throws IOException {
        if (fs.exists(target)) {
            throw new FileAlreadyExistsException(target + " already exists");
        }
        Path tmp = writeTemp(fs, target, content, expectedLength);
        try {
            if (fs.exists(target)) {
                throw new FileAlreadyExistsException(target + " already exists");
            }
            if (!fs.rename(tmp, target)) {
                throw new IOException("could not rename " + tmp + " to " + target
                        + (fs.exists(target) ? " (the target exists)" : ""));
            }
            syncDirectory(fs, target.getParent());
        } catch (IOException | RuntimeException | Error e) {
            deleteQuietly(fs, tmp, e);
            throw e;
        }
    }

    /** {@link #replace(FileSystem, Path, Content)} with a byte array. */
    public static void replace(FileSystem fs, Path target, byte[] bytes) throws IOException {
        Objects.requireNonNull(bytes, "bytes");
        replace(fs, target, out -> out.write(bytes));
    }

    /**
     * Writes {@code target} with {@code content}, replacing it if it exists, without a moment in
     * which the old file is deleted and the new one is not yet in place (see the class comment for
     * how each kind of file system is handled).
     *
     * @throws IOException on any I/O failure; the temporary file is then deleted and the old
     *     target, if there was one, keeps its content
     */
    public static void replace(FileSystem fs, Path target, Content content) throws IOException {
        Path tmp = writeTemp(fs, target, content, -1);
        try {
            if (fs instanceof DistributedFileSystem) {
                ((DistributedFileSystem) fs).rename(tmp, target, Options.Rename.OVERWRITE);
                return;
            }
            if (renameOrFalse(fs, tmp, target)) {
                syncDirectory(fs, target.getParent());
                return;
            }
            if (!fs.exists(target)) {
                throw new IOException("could not rename " + tmp + " to " + target);
            }
            renameAside(fs, tmp, target);
        } catch (IOException | RuntimeException | Error e) {
            deleteQuietly(fs, tmp, e);
            throw e;
        }
    }

    /** The old target goes aside, the new file into place, then the old one is deleted. */
    private static void renameAside(FileSystem fs, Path tmp, Path target) throws IOException {
        Path aside = sibling(target, ".old-");
        if (!fs.rename(target, aside)) {
            throw new IOException("could not rename " + target + " aside to " + aside + " to replace it");
        }
        boolean placed = false;
        try {
            placed = fs.rename(tmp, target);
            if (!placed) {
                throw new IOException("could not rename " + tmp + " to " + target);
            }
        } finally {
            if (!placed && !fs.rename(aside, target)) {
                throw new IOException("could not rename " + tmp + " to " + target + ", nor restore the old file "
                        + aside + " to " + target);
            }
        }
        try {
            if (!fs.delete(aside, false)) {
                LOG.log(Level.WARNING, target + " was replaced, but its old copy " + aside + " could not be deleted");
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, target + " was replaced, but deleting its old copy " + aside + " failed: " + e);
        }
    }

    /**
     * Fsyncs directory {@code dir} of the raw local file system, so that a rename into it is
     * durable (POSIX makes a rename durable only once its directory is synced). Returns true when
     * it synced; false for another file system, or where the platform cannot sync a directory
     * (then the rename is as durable as the operating system makes it, which is logged).
     */
    static boolean syncDirectory(FileSystem fs, Path dir) {
        if (!(fs instanceof RawLocalFileSystem) || dir == null) {
            return false;
        }
        java.nio.file.Path local = ((RawLocalFileSystem) fs).pathToFile(dir).toPath();
        try (FileChannel ch = FileChannel.open(local, StandardOpenOption.READ)) {
            ch.force(true);
            return true;
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "cannot fsync directory " + local + ": " + e);
            return false;
        }
    }

    /** A rename that reports "the target exists" as {@code false}, as most file systems do. */
    private static boolean renameOrFalse(FileSystem fs, Path from, Path to) throws IOException {
        try {
            return fs.rename(from, to);
        } catch (FileAlreadyExistsException e) {
            return false;
        }
    }

    /** Writes, syncs and closes a temporary sibling of {@code target}; deletes it on failure. */
    private static Path writeTemp(FileSystem fs, Path target, Content content, long expectedLength)
            throws IOException {
        Objects.requireNonNull(content, "content");
        Path parent = target.getParent();
        if (parent != null) {
            fs.mkdirs(parent);
        }
        Path tmp = sibling(target, ".tmp-");
        try {
            try (FSDataOutputStream out = fs.create(tmp, false)) {
                content.writeTo(out);
                try {
                    out.hsync();
                } catch (UnsupportedOperationException e) {
                    out.flush(); // a stream that cannot sync: the close below is all there is
                }
            }
            if (expectedLength >= 0) {
                long len = fs.getFileStatus(tmp).getLen();
                if (len != expectedLength) {
                    throw new IOException("temp file " + tmp + " holds " + len + " bytes after close, expected "
                            + expectedLength);
                }
            }
            return tmp;
        } catch (IOException | RuntimeException | Error e) {
            deleteQuietly(fs, tmp, e);
            throw e;
        }
    }

    private static Path sibling(Path target, String infix) {
        return new Path(target.getParent(), "." + target.getName() + infix
                + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE));
    }

    private static void deleteQuietly(FileSystem fs, Path p, Throwable cause) {
        try {
            if (fs.exists(p) && !fs.delete(p, false)) {
                cause.addSuppressed(new IOException("could not delete temp file " + p));
            }
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }
}
