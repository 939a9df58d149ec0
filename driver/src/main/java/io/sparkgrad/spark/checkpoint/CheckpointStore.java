package io.sparkgrad.spark.checkpoint;

import io.sparkgrad.spark.io.HadoopFiles;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes and reads {@link Checkpoint}s in one directory of any Hadoop file system (a local path,
 * {@code file://} or {@code hdfs://}), one file per step named {@code ckpt-<step>.sgck} with the
 * step zero-padded to 12 digits, e.g. {@code ckpt-000000000123.sgck}. The bytes of each file are
 * {@link CheckpointCodec}'s format (specified in {@code docs/CHECKPOINT_FORMAT.md}).
 *
 * <h2>Reading</h2>
 * {@link #read} streams the file twice: once to check the header, the length and the CRC32C, then
 * to parse it, each length checked before anything is allocated (see {@link CheckpointCodec}). A
 * file that fails is reported as a {@link CorruptCheckpointException} naming it. A file whose name
 * gives a step must hold that step. {@link #latest} returns the checkpoint of highest step that
 * validates, skipping corrupt ones with a warning; it changes nothing. {@link #recover}, for a run
 * that resumes and will write again, also moves the corrupt checkpoints it skips aside and deletes
 * the temp files of writes that never finished.
 *
 * <h2>Writing</h2>
 * {@link #write} streams the checkpoint to a temporary file in the same directory, syncs and
 * closes it, checks its length, and renames it to the final name
 * ({@link HadoopFiles#createNew}). A checkpoint is never overwritten: if the final name exists the
 * write fails with a {@link FileAlreadyExistsException}. On any failure the temporary file is
 * deleted and earlier checkpoints are untouched. The existence check and the rename are two steps:
 * on HDFS the rename itself refuses to replace an existing file, on the local file system (whose
 * rename replaces) a concurrent writer of the same step could slip between them; the store assumes
 * one writer per directory, the Spark driver.
 *
 * <h2>Retention</h2>
 * With {@link #keepLast(int) keepLast(n)}, each successful write is followed by the deletion of all
 * but the {@code n} checkpoints of highest step. It runs only after the new checkpoint is durable:
 * synced ({@code hsync}), closed and renamed into place; a write that fails deletes nothing.
 *
 * <p>On the local file system the store uses the raw local file system, so no {@code .crc} side
 * files are written: the format carries its own checksum. A path without a scheme resolves against
 * {@code fs.defaultFS} of the configuration, which is the local file system unless configured
 * otherwise.
 *
 * <p>Not thread-safe for concurrent writes to the same step; reads may run concurrently.
 */
public final class CheckpointStore {
    private static final System.Logger LOG = System.getLogger(CheckpointStore.class.getName());

    /** The suffix of checkpoint files. */
    public static final String SUFFIX = ".sgck";
    private static final Pattern NAME = Pattern.compile("ckpt-(\\d{12,19})\\.sgck");
    /** The temp file of a write ({@link HadoopFiles#createNew}) that never reached its rename. */
    private static final Pattern TEMP = Pattern.compile("\\.ckpt-\\d{12,19}\\.sgck\\.tmp-[0-9a-f]+");
    /** What a corrupt checkpoint's name gets when {@link #recover} moves it aside. */
    public static final String CORRUPT_SUFFIX = ".corrupt";

    private final FileSystem fs;
    private final Path dir;
    private volatile int keepLast;

    /** A store in {@code dir} with a default Hadoop {@link Configuration}. */
    public CheckpointStore(String dir) throws IOException {
        this(dir, new Configuration());
    }

    /** A store in {@code dir} (a Hadoop path string) on the file system {@code conf} resolves it to. */
    public CheckpointStore(String dir, Configuration conf) throws IOException {
        this(new Path(Objects.requireNonNull(dir, "dir")), Objects.requireNonNull(conf, "conf"));
    }

    private CheckpointStore(Path dir, Configuration conf) throws IOException {
        this(dir.getFileSystem(conf), dir);
    }

    /**
     * A store in {@code dir} on {@code fs}. The file system is not closed by the store (Hadoop
     * caches and shares instances). A {@link LocalFileSystem} is replaced by its raw file system.
     */
    public CheckpointStore(FileSystem fs, Path dir) {
        Objects.requireNonNull(dir, "dir");
        this.fs = HadoopFiles.raw(fs);
        this.dir = this.fs.makeQualified(dir);
    }

    /**
     * Retention: after each successful {@link #write}, delete all but the {@code n} checkpoints of
     * highest step (never the one just written). {@code 0} keeps everything (the default).
     */
    public CheckpointStore keepLast(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("keepLast: n must be >= 0 (0 keeps all), got " + n);
        }
        this.keepLast = n;
        return this;
    }

    /** The directory, fully qualified. */
    public Path directory() {
        return dir;
    }

    /** The file name for {@code step}, e.g. {@code ckpt-000000000123.sgck}. */
    public static String fileName(long step) {
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + step);
        }
        return String.format("ckpt-%012d%s", step, SUFFIX);
    }

    /** The path of the checkpoint for {@code step} in this store. */
    public Path pathFor(long step) {
        return new Path(dir, fileName(step));
    }

    /** The step a checkpoint file name encodes, or -1 when it is not a checkpoint name. */
    static long stepOf(String fileName) {
        Matcher m = NAME.matcher(fileName);
        if (!m.matches()) {
            return -1;
        }
        try {
            return Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Steps of the checkpoint files in the directory (by name, unvalidated), ascending. */
    public List<Long> steps() throws IOException {
        FileStatus[] files;
        try {
            files = fs.listStatus(dir);
        } catch (FileNotFoundException e) {
            return List.of();
        }
        List<Long> out = new ArrayList<>();
        for (FileStatus f : files) {
            if (!f.isFile()) {
                continue;
            }
            long s = stepOf(f.getPath().getName());
            if (s >= 0) {
                out.add(s);
            }
        }
        Collections.sort(out);
        return out;
    }

    /**
     * Writes {@code c} atomically as {@code ckpt-<step>.sgck} and applies retention.
     *
     * @return the path written
     * @throws FileAlreadyExistsException if a checkpoint for this step exists (it is left as is)
     * @throws IOException on any I/O failure; the temporary file is then deleted
     * @throws IllegalArgumentException if {@code c} has a format version this code does not write (1 or 2)
     */
    public Path write(Checkpoint c) throws IOException {
        Objects.requireNonNull(c, "checkpoint");
        Path target = pathFor(c.step());
        try {
            HadoopFiles.createNew(fs, target, out -> CheckpointCodec.encode(c, out), CheckpointCodec.encodedLength(c));
        } catch (FileAlreadyExistsException e) {
            FileAlreadyExistsException named = new FileAlreadyExistsException("checkpoint " + target
                    + " already exists; checkpoints are never overwritten");
            named.initCause(e);
            throw named;
        }
        if (keepLast > 0) {
            applyRetention(c.step());
        }
        return target;
    }

    private void applyRetention(long justWritten) {
        try {
            List<Long> all = steps();
            int excess = all.size() - keepLast;
            for (int i = 0; i < excess; i++) {
                long s = all.get(i);
                if (s == justWritten) {
                    continue;
                }
                Path p = pathFor(s);
                if (!fs.delete(p, false)) {
                    LOG.log(Level.WARNING, "checkpoint retention: could not delete " + p);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "checkpoint retention in " + dir + " failed: " + e);
        }
    }

    /** Reads the checkpoint for {@code step}. */
    public Checkpoint read(long step) throws IOException {
        return read(pathFor(step));
    }

    /**
     * Reads and validates one checkpoint file.
     *
     * @throws CorruptCheckpointException if the file is not a valid checkpoint
     * @throws IOException if it cannot be read (e.g. {@link FileNotFoundException})
     */
    public Checkpoint read(Path file) throws IOException {
        Path p = fs.makeQualified(file);
        String name = p.toString();
        FileStatus st = fs.getFileStatus(p);
        if (!st.isFile()) {
            throw new IOException("checkpoint " + name + " is not a file");
        }
        long len = st.getLen();
        Checkpoint c;
        try (FSDataInputStream in = fs.open(p)) {
            int version = CheckpointCodec.verify(in, len, name);
            in.seek(CheckpointCodec.HEADER_BYTES);
            c = CheckpointCodec.parseBody(in, version, len, name);
        }
        long nameStep = stepOf(p.getName());
        if (nameStep >= 0 && nameStep != c.step()) {
            throw new CorruptCheckpointException(name, "file name says step " + nameStep + " but it holds step "
                    + c.step());
        }
        return c;
    }

    /**
     * The checkpoint to resume from, for a run that will write checkpoints into this directory
     * again: the checkpoint of highest step that reads and validates, as {@link #latest}, but each
     * corrupt checkpoint of higher step is moved aside to {@code <name>.corrupt} (never deleted;
     * {@code .corrupt.1}, {@code .corrupt.2}, ... if that name is taken), with a one-line warning,
     * so that the run can write that step again. Temp files left by a write that died before its
     * rename ({@code .ckpt-<step>.sgck.tmp-<hex>}) are deleted first. Like every write, this
     * assumes the run is the directory's only writer.
     *
     * @throws IOException if the directory cannot be listed, or a corrupt checkpoint cannot be
     *     moved aside (it would block the write of its step)
     */
    public Optional<Checkpoint> recover() throws IOException {
        deleteLeftoverTempFiles();
        List<Long> all = steps();
        for (int i = all.size() - 1; i >= 0; i--) {
            Path p = pathFor(all.get(i));
            try {
                return Optional.of(read(p));
            } catch (CorruptCheckpointException e) {
                Path aside = moveAside(p);
                LOG.log(Level.WARNING, "checkpoint " + p + " is corrupt (" + e.reason() + "): moved it aside to "
                        + aside.getName() + " and looking for an earlier one");
            } catch (FileNotFoundException e) {
                LOG.log(Level.WARNING, "skipping checkpoint " + p + ": it disappeared while listing (" + e.getMessage()
                        + ")");
            }
        }
        return Optional.empty();
    }

    /** Renames {@code p} to the first free name of {@code <name>.corrupt}, {@code <name>.corrupt.1}, ... */
    private Path moveAside(Path p) throws IOException {
        Path aside = new Path(dir, p.getName() + CORRUPT_SUFFIX);
        for (int n = 1; fs.exists(aside); n++) {
            aside = new Path(dir, p.getName() + CORRUPT_SUFFIX + "." + n);
        }
        if (!fs.rename(p, aside)) {
            throw new IOException("could not move the corrupt checkpoint " + p + " aside to " + aside);
        }
        return aside;
    }

    private void deleteLeftoverTempFiles() throws IOException {
        FileStatus[] files;
        try {
            files = fs.listStatus(dir);
        } catch (FileNotFoundException e) {
            return;
        }
        for (FileStatus f : files) {
            if (f.isFile() && TEMP.matcher(f.getPath().getName()).matches()) {
                if (fs.delete(f.getPath(), false)) {
                    LOG.log(Level.INFO, "deleted " + f.getPath() + ", left by a checkpoint write that did not finish");
                } else {
                    LOG.log(Level.WARNING, "could not delete " + f.getPath() + ", left by a checkpoint write that did"
                            + " not finish");
                }
            }
        }
    }

    /**
     * The checkpoint of highest step that reads and validates. Corrupt files are skipped with a
     * warning naming the file and the reason; other I/O errors propagate.
     */
    public Optional<Checkpoint> latest() throws IOException {
        List<Long> all = steps();
        for (int i = all.size() - 1; i >= 0; i--) {
            Path p = pathFor(all.get(i));
            try {
                return Optional.of(read(p));
            } catch (CorruptCheckpointException e) {
                LOG.log(Level.WARNING, "skipping checkpoint " + e.file() + ": " + e.reason());
            } catch (FileNotFoundException e) {
                LOG.log(Level.WARNING, "skipping checkpoint " + p + ": it disappeared while listing (" + e.getMessage()
                        + ")");
            }
        }
        return Optional.empty();
    }
}
