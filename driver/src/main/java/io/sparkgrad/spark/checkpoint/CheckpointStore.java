package io.sparkgrad.spark.checkpoint;

import io.sparkgrad.nn.OptimizerState;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes and reads {@link Checkpoint}s in one directory of any Hadoop file system (a local path,
 * {@code file://} or {@code hdfs://}), one file per step named {@code ckpt-<step>.sgck} with the
 * step zero-padded to 12 digits, e.g. {@code ckpt-000000000123.sgck}.
 *
 * <h2>File format, version 1</h2>
 * All integers big-endian (as {@link DataOutputStream} writes them); floats and doubles as their raw
 * IEEE 754 bits ({@link Float#floatToRawIntBits}, {@link Double#doubleToRawLongBits}), so NaN
 * payloads survive; a <em>string</em> is an {@code int32} byte count followed by that many bytes of
 * UTF-8. No Java object serialization is involved.
 * <pre>
 * offset size  field
 *  0      8    magic: 0x89 'S' 'G' 'C' 'K' '\r' '\n' 0x1A
 *  8      4    int32  format version (1)
 * 12      8    int64  total file length in bytes, including this header and the trailing CRC
 * 20      8    int64  step
 * 28      4    int32  epoch
 * 32      8    int64  seed
 * 40      ...  string model spec
 *              int32  parameter count P, then P times:
 *                string name, int32 rank R, R x int32 dimensions
 *              int32  value count V (= sum over parameters of the product of the dimensions)
 *              V x float32 parameter values, laid out like ParameterTuple.flatten()
 *              string optimizer kind
 *              int64  optimizer step
 *              float64 learning rate
 *              int32  slot count S, then S times:
 *                string slot name, int32 length L, L x float64 values
 * end-4   4    CRC32C (Castagnoli) of every preceding byte, as an unsigned 32-bit value
 * </pre>
 * The full specification is in {@code docs/CHECKPOINT_FORMAT.md}.
 *
 * <h2>Reading</h2>
 * {@link #read} checks, in this order: the magic bytes, the version, the declared length against
 * the actual file length (a shorter file is reported as truncated), the CRC32C, and then parses with
 * every length and count checked against the bytes remaining before the CRC before anything is
 * allocated, so a corrupt or hostile file fails with a {@link CorruptCheckpointException} rather
 * than an {@link OutOfMemoryError}. A file whose name gives a step must hold that step.
 *
 * <h2>Writing</h2>
 * {@link #write} streams the checkpoint to a temporary file in the same directory
 * ({@code .ckpt-000000000123.sgck.tmp-<random>}), syncs and closes it, checks its length, and
 * renames it to the final name. A checkpoint is never overwritten: if the final name exists the
 * write fails with a {@link FileAlreadyExistsException}. On any failure the temporary file is
 * deleted and earlier checkpoints are untouched. The existence check and the rename are two steps:
 * on HDFS the rename itself refuses to replace an existing file, on the local file system (whose
 * rename replaces) a concurrent writer of the same step could slip between them; the store assumes
 * one writer per directory, the Spark driver.
 *
 * <p>On the local file system the store uses the raw local file system, so no {@code .crc} side
 * files are written: the format carries its own checksum.
 *
 * <p>A path without a scheme resolves against {@code fs.defaultFS} of the configuration, which is
 * the local file system unless configured otherwise.
 *
 * <p>Not thread-safe for concurrent writes to the same step; reads may run concurrently.
 */
public final class CheckpointStore {
    private static final System.Logger LOG = System.getLogger(CheckpointStore.class.getName());

    /** The eight magic bytes every checkpoint file starts with. */
    static final byte[] MAGIC = {(byte) 0x89, 'S', 'G', 'C', 'K', '\r', '\n', 0x1A};
    /** Magic, version and total length. */
    static final int HEADER_BYTES = 20;
    static final int CRC_BYTES = 4;
    /** Header, step, epoch, seed, and the smallest possible body and trailer. */
    static final long MIN_FILE_BYTES = HEADER_BYTES + 8 + 4 + 8 + 4 + 4 + 4 + 4 + 8 + 8 + 4 + CRC_BYTES;
    /** The suffix of checkpoint files. */
    public static final String SUFFIX = ".sgck";
    private static final Pattern NAME = Pattern.compile("ckpt-(\\d{12,19})\\.sgck");
    private static final int CHUNK = 64 * 1024;

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
        Objects.requireNonNull(fs, "fs");
        Objects.requireNonNull(dir, "dir");
        this.fs = fs instanceof LocalFileSystem ? ((LocalFileSystem) fs).getRawFileSystem() : fs;
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
     */
    public Path write(Checkpoint c) throws IOException {
        Objects.requireNonNull(c, "checkpoint");
        if (c.formatVersion() != Checkpoint.CURRENT_FORMAT_VERSION) {
            throw new IllegalArgumentException("can only write format version " + Checkpoint.CURRENT_FORMAT_VERSION
                    + ", the checkpoint has version " + c.formatVersion());
        }
        Path target = pathFor(c.step());
        fs.mkdirs(dir);
        if (fs.exists(target)) {
            throw new FileAlreadyExistsException("checkpoint " + target + " already exists; checkpoints are never"
                    + " overwritten");
        }
        Path tmp = new Path(dir, "." + target.getName() + ".tmp-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE));
        long expected = encodedLength(c);
        boolean renamed = false;
        try {
            try (FSDataOutputStream out = fs.create(tmp, false)) {
                encode(c, out, expected);
                try {
                    out.hsync();
                } catch (UnsupportedOperationException e) {
                    out.flush();
                }
            }
            long len = fs.getFileStatus(tmp).getLen();
            if (len != expected) {
                throw new IOException("checkpoint temp file " + tmp + " holds " + len + " bytes after close, expected "
                        + expected);
            }
            if (fs.exists(target)) {
                throw new FileAlreadyExistsException("checkpoint " + target + " already exists; checkpoints are never"
                        + " overwritten");
            }
            if (!fs.rename(tmp, target)) {
                throw new IOException("could not rename " + tmp + " to " + target
                        + (fs.exists(target) ? " (the target exists)" : ""));
            }
            renamed = true;
        } catch (IOException | RuntimeException | Error e) {
            deleteTemp(tmp, e);
            throw e;
        }
        if (renamed && keepLast > 0) {
            applyRetention(c.step());
        }
        return target;
    }

    private void deleteTemp(Path tmp, Throwable cause) {
        try {
            if (fs.exists(tmp) && !fs.delete(tmp, false)) {
                cause.addSuppressed(new IOException("could not delete temp file " + tmp));
            }
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
        }
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
        try (FSDataInputStream in = fs.open(p)) {
            // 1. magic, version and declared length
            byte[] head = new byte[(int) Math.min(len, HEADER_BYTES)];
            readFully(in, head, name, 0);
            int m = Math.min(head.length, MAGIC.length);
            if (!Arrays.equals(head, 0, m, MAGIC, 0, m)) {
                throw new CorruptCheckpointException(name, "bad magic bytes " + hex(head, m)
                        + " (not a SparkGrad checkpoint)");
            }
            if (len < 12) {
                throw new CorruptCheckpointException(name, "truncated at byte " + len + " (inside the header)");
            }
            ByteBuffer hb = ByteBuffer.wrap(head);
            int version = hb.getInt(8);
            if (version != Checkpoint.CURRENT_FORMAT_VERSION) {
                throw new CorruptCheckpointException(name, "unsupported version " + version + " (this reader supports "
                        + Checkpoint.CURRENT_FORMAT_VERSION + ")");
            }
            if (len < HEADER_BYTES) {
                throw new CorruptCheckpointException(name, "truncated at byte " + len + " (inside the header)");
            }
            long declared = hb.getLong(12);
            if (declared < MIN_FILE_BYTES) {
                throw new CorruptCheckpointException(name, "header declares an impossible length of " + declared
                        + " bytes");
            }
            if (len < declared) {
                throw new CorruptCheckpointException(name, "truncated at byte " + len + " (the header declares "
                        + declared + " bytes)");
            }
            if (len > declared) {
                throw new CorruptCheckpointException(name, (len - declared) + " unexpected trailing bytes (file has "
                        + len + " bytes, the header declares " + declared + ")");
            }
            // 2. checksum over everything before the trailer
            CRC32C crc = new CRC32C();
            crc.update(head, 0, head.length);
            byte[] buf = new byte[CHUNK];
            long pos = head.length;
            long end = len - CRC_BYTES;
            while (pos < end) {
                int n = (int) Math.min(buf.length, end - pos);
                readFully(in, buf, n, name, pos);
                crc.update(buf, 0, n);
                pos += n;
            }
            byte[] trailer = new byte[CRC_BYTES];
            readFully(in, trailer, name, pos);
            long stored = ByteBuffer.wrap(trailer).getInt() & 0xFFFFFFFFL;
            if (stored != crc.getValue()) {
                throw new CorruptCheckpointException(name, String.format("checksum mismatch: stored CRC32C %08x,"
                        + " computed %08x", stored, crc.getValue()));
            }
            // 3. parse, every length checked against what is left
            in.seek(HEADER_BYTES);
            Decoder d = new Decoder(new DataInputStream(new BufferedInputStream(in, CHUNK)), name, HEADER_BYTES, end);
            Checkpoint c = d.decode(version);
            if (d.pos != end) {
                throw new CorruptCheckpointException(name, (end - d.pos) + " unparsed bytes before the checksum");
            }
            long nameStep = stepOf(p.getName());
            if (nameStep >= 0 && nameStep != c.step()) {
                throw new CorruptCheckpointException(name, "file name says step " + nameStep + " but it holds step "
                        + c.step());
            }
            return c;
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

    private static void readFully(InputStream in, byte[] b, String name, long pos) throws IOException {
        readFully(in, b, b.length, name, pos);
    }

    private static void readFully(InputStream in, byte[] b, int n, String name, long pos) throws IOException {
        int off = 0;
        while (off < n) {
            int r = in.read(b, off, n - off);
            if (r < 0) {
                throw new CorruptCheckpointException(name, "truncated at byte " + (pos + off));
            }
            off += r;
        }
    }

    private static String hex(byte[] b, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(String.format("%02x", b[i] & 0xFF));
        }
        return sb.length() == 0 ? "(empty file)" : sb.toString();
    }

    // ---------------------------------------------------------------- encoding

    private static long stringBytes(String s) {
        return 4L + s.getBytes(StandardCharsets.UTF_8).length;
    }

    /** The exact size of {@code c}'s file. */
    static long encodedLength(Checkpoint c) {
        long n = HEADER_BYTES + 8 + 4 + 8 + stringBytes(c.modelSpec()) + 4;
        for (int i = 0; i < c.paramCount(); i++) {
            n += stringBytes(c.paramNames().get(i)) + 4 + 4L * c.paramShape(i).length;
        }
        n += 4 + 4L * c.numel();
        OptimizerState s = c.optimizerState();
        n += stringBytes(s.kind()) + 8 + 8 + 4;
        for (String slot : s.slotNames()) {
            n += stringBytes(slot) + 4 + 8L * s.slot(slot).length;
        }
        return n + CRC_BYTES;
    }

    /** Writes {@code c} in format version 1 to {@code sink} (not closed). */
    static void encode(Checkpoint c, OutputStream sink, long totalLength) throws IOException {
        BufferedOutputStream buffered = new BufferedOutputStream(sink, CHUNK);
        CrcCountingOutputStream counted = new CrcCountingOutputStream(buffered);
        DataOutputStream out = new DataOutputStream(counted);
        out.write(MAGIC);
        out.writeInt(Checkpoint.CURRENT_FORMAT_VERSION);
        out.writeLong(totalLength);
        out.writeLong(c.step());
        out.writeInt(c.epoch());
        out.writeLong(c.seed());
        writeString(out, c.modelSpec());
        out.writeInt(c.paramCount());
        for (int i = 0; i < c.paramCount(); i++) {
            writeString(out, c.paramNames().get(i));
            int[] shape = c.paramShape(i);
            out.writeInt(shape.length);
            for (int d : shape) {
                out.writeInt(d);
            }
        }
        int n = c.numel();
        out.writeInt(n);
        ByteBuffer bb = ByteBuffer.allocate(CHUNK);
        for (int i = 0; i < n; i++) {
            if (bb.remaining() < 4) {
                out.write(bb.array(), 0, bb.position());
                bb.clear();
            }
            bb.putInt(Float.floatToRawIntBits(c.value(i)));
        }
        out.write(bb.array(), 0, bb.position());
        bb.clear();
        OptimizerState s = c.optimizerState();
        writeString(out, s.kind());
        out.writeLong(s.step());
        out.writeLong(Double.doubleToRawLongBits(s.learningRate()));
        out.writeInt(s.slotNames().size());
        for (String slot : s.slotNames()) {
            double[] v = s.slot(slot);
            writeString(out, slot);
            out.writeInt(v.length);
            for (double x : v) {
                if (bb.remaining() < 8) {
                    out.write(bb.array(), 0, bb.position());
                    bb.clear();
                }
                bb.putLong(Double.doubleToRawLongBits(x));
            }
            out.write(bb.array(), 0, bb.position());
            bb.clear();
        }
        out.flush();
        if (counted.count + CRC_BYTES != totalLength) {
            throw new IllegalStateException("checkpoint encoder wrote " + (counted.count + CRC_BYTES)
                    + " bytes, expected " + totalLength);
        }
        // The trailer bypasses the checksumming stream: it is not part of its own checksum.
        int value = (int) counted.crc.getValue();
        buffered.write(new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value});
        buffered.flush();
    }

    /** Passes bytes through, updating a CRC32C and a byte count (a long: files may exceed 2 GiB). */
    private static final class CrcCountingOutputStream extends FilterOutputStream {
        final CRC32C crc = new CRC32C();
        long count;

        CrcCountingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            crc.update(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            crc.update(b, off, len);
            count += len;
        }
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    // ---------------------------------------------------------------- decoding

    /** Parses the body, checking every length against the bytes left before {@code end}. */
    private static final class Decoder {
        private final DataInputStream in;
        private final String name;
        private final long end;
        private long pos;
        private final byte[] chunk = new byte[CHUNK];

        Decoder(DataInputStream in, String name, long pos, long end) {
            this.in = in;
            this.name = name;
            this.pos = pos;
            this.end = end;
        }

        Checkpoint decode(int version) throws IOException {
            long step = readLong();
            int epoch = readInt();
            long seed = readLong();
            if (step < 0) {
                throw corrupt("negative step " + step);
            }
            if (epoch < 0) {
                throw corrupt("negative epoch " + epoch);
            }
            String spec = readString("model spec");
            int p = readCount("parameter count", 8);
            List<String> names = new ArrayList<>(p);
            List<int[]> shapes = new ArrayList<>(p);
            long total = 0;
            for (int i = 0; i < p; i++) {
                String pname = readString("name of parameter " + i);
                int rank = readCount("rank of parameter '" + pname + "'", 4);
                int[] shape = new int[rank];
                long numel = 1;
                for (int r = 0; r < rank; r++) {
                    shape[r] = readInt();
                    if (shape[r] < 0) {
                        throw corrupt("parameter '" + pname + "' has negative dimension " + shape[r]);
                    }
                    numel *= shape[r];
                    if (numel > Integer.MAX_VALUE) {
                        throw corrupt("parameter '" + pname + "' has more than 2^31 elements");
                    }
                }
                total += numel;
                if (total > Integer.MAX_VALUE) {
                    throw corrupt("parameters hold more than 2^31 values");
                }
                names.add(pname);
                shapes.add(shape);
            }
            long valuesAt = pos;
            int v = readCount("value count", 4);
            if (v != total) {
                throw corrupt("value count " + v + " at byte " + valuesAt + " does not match the " + total
                        + " elements of the parameter shapes");
            }
            float[] values = new float[v];
            for (int i = 0; i < v; ) {
                int n = Math.min(CHUNK / 4, v - i);
                readBytes(n * 4);
                ByteBuffer bb = ByteBuffer.wrap(chunk, 0, n * 4);
                for (int j = 0; j < n; j++) {
                    values[i + j] = Float.intBitsToFloat(bb.getInt());
                }
                i += n;
            }
            String kind = readString("optimizer kind");
            long optStep = readLong();
            double lr = Double.longBitsToDouble(readLong());
            int slots = readCount("slot count", 8);
            Map<String, double[]> slotMap = new LinkedHashMap<>();
            for (int k = 0; k < slots; k++) {
                String sname = readString("name of slot " + k);
                int len = readCount("length of slot '" + sname + "'", 8);
                double[] data = new double[len];
                for (int i = 0; i < len; ) {
                    int n = Math.min(CHUNK / 8, len - i);
                    readBytes(n * 8);
                    ByteBuffer bb = ByteBuffer.wrap(chunk, 0, n * 8);
                    for (int j = 0; j < n; j++) {
                        data[i + j] = Double.longBitsToDouble(bb.getLong());
                    }
                    i += n;
                }
                if (slotMap.put(sname, data) != null) {
                    throw corrupt("slot '" + sname + "' appears twice");
                }
            }
            try {
                return Checkpoint.builder().formatVersion(version).step(step).epoch(epoch).seed(seed).modelSpec(spec)
                        .paramNames(names).paramShapes(shapes).values(values)
                        .optimizerState(new OptimizerState(kind, optStep, lr, slotMap)).build();
            } catch (IllegalArgumentException e) {
                throw new CorruptCheckpointException(name, "invalid content: " + e.getMessage(), e);
            }
        }

        private CorruptCheckpointException corrupt(String what) {
            return new CorruptCheckpointException(name, what);
        }

        private long remaining() {
            return end - pos;
        }

        private void need(long n) throws CorruptCheckpointException {
            if (n > remaining()) {
                throw corrupt("a field at byte " + pos + " needs " + n + " bytes, only " + remaining()
                        + " remain before the checksum");
            }
        }

        private int readInt() throws IOException {
            need(4);
            pos += 4;
            return in.readInt();
        }

        private long readLong() throws IOException {
            need(8);
            pos += 8;
            return in.readLong();
        }

        private void readBytes(int n) throws IOException {
            need(n);
            try {
                in.readFully(chunk, 0, n);
            } catch (EOFException e) {
                throw corrupt("truncated at byte " + pos);
            }
            pos += n;
        }

        /** A count of items of at least {@code minBytes} each, checked against what is left. */
        private int readCount(String what, int minBytes) throws IOException {
            long at = pos;
            int n = readInt();
            if (n < 0 || (long) n * minBytes > remaining()) {
                throw corrupt(what + " " + n + " at byte " + at + " does not fit the " + remaining()
                        + " bytes that remain");
            }
            return n;
        }

        private String readString(String what) throws IOException {
            long at = pos;
            int n = readInt();
            if (n < 0 || n > remaining()) {
                throw corrupt("length " + n + " of " + what + " at byte " + at + " does not fit the " + remaining()
                        + " bytes that remain");
            }
            byte[] b = new byte[n];
            try {
                in.readFully(b);
            } catch (EOFException e) {
                throw corrupt("truncated at byte " + pos);
            }
            pos += n;
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
            } catch (CharacterCodingException e) {
                throw corrupt(what + " at byte " + at + " is not valid UTF-8");
            }
        }
    }
}
