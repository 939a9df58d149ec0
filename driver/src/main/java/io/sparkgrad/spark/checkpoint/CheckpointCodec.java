package io.sparkgrad.spark.checkpoint;

import io.sparkgrad.nn.OptimizerState;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * The binary checkpoint format: {@link #encode} writes a {@link Checkpoint} to a stream,
 * {@link #decode} reads and validates one from bytes. No file system is involved; the
 * {@link CheckpointStore} adds file names, atomic writes and the choice of the newest valid file.
 *
 * <h2>File format, versions 1 and 2</h2>
 * All integers big-endian (as {@link DataOutputStream} writes them); floats and doubles as their raw
 * IEEE 754 bits ({@link Float#floatToRawIntBits}, {@link Double#doubleToRawLongBits}), so NaN
 * payloads survive; a <em>string</em> is an {@code int32} byte count followed by that many bytes of
 * UTF-8. No Java object serialization is involved.
 * <pre>
 * offset size  field
 *  0      8    magic: 0x89 'S' 'G' 'C' 'K' '\r' '\n' 0x1A
 *  8      4    int32  format version (1, or 2 with the early-stopping section)
 * 12      8    int64  total length in bytes, including this header and the trailing CRC
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
 *              version 2 only, the early-stopping section:
 *              int64  best step, int32 best epoch, float64 best validation loss,
 *              int32  rounds without improvement,
 *              int32  best value count (= V), then V x float32 best parameter values
 * end-4   4    CRC32C (Castagnoli) of every preceding byte, as an unsigned 32-bit value
 * </pre>
 * The full specification is in {@code docs/CHECKPOINT_FORMAT.md}.
 *
 * <h2>Validation</h2>
 * Decoding checks, in this order: the magic bytes, the version, the declared length against the
 * actual length (fewer bytes are reported as a truncation), the CRC32C, and then parses with every
 * length and count checked against the bytes remaining before the CRC before anything is
 * allocated, so corrupt or hostile bytes fail with a {@link CorruptCheckpointException} naming
 * what is wrong and where, rather than with an {@link OutOfMemoryError}.
 *
 * <p>Stateless and thread-safe.
 */
public final class CheckpointCodec {
    /** The eight magic bytes every checkpoint starts with. */
    static final byte[] MAGIC = {(byte) 0x89, 'S', 'G', 'C', 'K', '\r', '\n', 0x1A};
    /** Magic, version and total length. */
    static final int HEADER_BYTES = 20;
    static final int CRC_BYTES = 4;
    /** Header, step, epoch, seed, and the smallest possible body and trailer. */
    static final long MIN_BYTES = HEADER_BYTES + 8 + 4 + 8 + 4 + 4 + 4 + 4 + 8 + 8 + 4 + CRC_BYTES;
    static final int CHUNK = 64 * 1024;

    private CheckpointCodec() {
    }

    // ---------------------------------------------------------------- encoding

    private static long stringBytes(String s) {
        return 4L + s.getBytes(StandardCharsets.UTF_8).length;
    }

    /** The exact number of bytes {@link #encode} writes for {@code c}. */
    public static long encodedLength(Checkpoint c) {
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
        EarlyStoppingState es = c.earlyStopping();
        if (es != null) {
            n += 8 + 4 + 8 + 4 + 4 + 4L * es.numel();
        }
        return n + CRC_BYTES;
    }

    /** Whether this code reads and writes format version {@code v}. */
    static boolean supported(int v) {
        return v == Checkpoint.BASE_FORMAT_VERSION || v == Checkpoint.CURRENT_FORMAT_VERSION;
    }

    /** {@code c} in the current format, as bytes (for checkpoints under 2 GiB). */
    public static byte[] encode(Checkpoint c) {
        long n = encodedLength(c);
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("checkpoint needs " + n + " bytes, too many for an array; stream it"
                    + " with encode(Checkpoint, OutputStream)");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) n);
        try {
            encode(c, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return out.toByteArray();
    }

    /**
     * Writes {@code c} in the current format to {@code sink}, which is flushed but not closed.
     *
     * @throws IllegalArgumentException if {@code c} has another format version than
     *     {@link Checkpoint#CURRENT_FORMAT_VERSION}
     */
    public static void encode(Checkpoint c, OutputStream sink) throws IOException {
        Objects.requireNonNull(c, "checkpoint");
        Objects.requireNonNull(sink, "sink");
        if (!supported(c.formatVersion())) {
            throw new IllegalArgumentException("can only write format versions " + Checkpoint.BASE_FORMAT_VERSION
                    + " and " + Checkpoint.CURRENT_FORMAT_VERSION + ", the checkpoint has version " + c.formatVersion());
        }
        long totalLength = encodedLength(c);
        BufferedOutputStream buffered = new BufferedOutputStream(sink, CHUNK);
        CrcCountingOutputStream counted = new CrcCountingOutputStream(buffered);
        DataOutputStream out = new DataOutputStream(counted);
        out.write(MAGIC);
        out.writeInt(c.formatVersion());
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
        EarlyStoppingState es = c.earlyStopping();
        if (es != null) {
            out.writeLong(es.bestStep());
            out.writeInt(es.bestEpoch());
            out.writeLong(Double.doubleToRawLongBits(es.bestLoss()));
            out.writeInt(es.roundsWithoutImprovement());
            out.writeInt(es.numel());
            for (int i = 0; i < es.numel(); i++) {
                if (bb.remaining() < 4) {
                    out.write(bb.array(), 0, bb.position());
                    bb.clear();
                }
                bb.putInt(Float.floatToRawIntBits(es.bestValue(i)));
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

    /**
     * Decodes and validates one checkpoint from {@code bytes}.
     *
     * @param name what the bytes are, for the messages (a file name, say)
     * @throws CorruptCheckpointException if the bytes are not one valid checkpoint; its reason says
     *     what is wrong (bad magic, unsupported version, truncated at byte N, checksum mismatch, a
     *     length that does not fit, ...)
     */
    public static Checkpoint decode(byte[] bytes, String name) throws CorruptCheckpointException {
        Objects.requireNonNull(bytes, "bytes");
        try {
            int version = verify(new ByteArrayInputStream(bytes), bytes.length, name);
            ByteArrayInputStream body = new ByteArrayInputStream(bytes);
            body.skipNBytes(HEADER_BYTES);
            return parseBody(body, version, bytes.length, name);
        } catch (CorruptCheckpointException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayInputStream does not fail otherwise
        }
    }

    /**
     * Checks the header and the checksum of the {@code length} bytes {@code in} delivers from the
     * start of a checkpoint, reading them all once.
     *
     * @return the format version
     */
    static int verify(InputStream in, long length, String name) throws IOException {
        byte[] head = new byte[(int) Math.min(length, HEADER_BYTES)];
        readFully(in, head, head.length, name, 0);
        int m = Math.min(head.length, MAGIC.length);
        if (!Arrays.equals(head, 0, m, MAGIC, 0, m)) {
            throw new CorruptCheckpointException(name, "bad magic bytes " + hex(head, m)
                    + " (not a SparkGrad checkpoint)");
        }
        if (length < 12) {
            throw new CorruptCheckpointException(name, "truncated at byte " + length + " (inside the header)");
        }
        ByteBuffer hb = ByteBuffer.wrap(head);
        int version = hb.getInt(8);
        if (!supported(version)) {
            throw new CorruptCheckpointException(name, "unsupported version " + version + " (this reader supports "
                    + Checkpoint.BASE_FORMAT_VERSION + " and " + Checkpoint.CURRENT_FORMAT_VERSION + ")");
        }
        if (length < HEADER_BYTES) {
            throw new CorruptCheckpointException(name, "truncated at byte " + length + " (inside the header)");
        }
        long declared = hb.getLong(12);
        if (declared < MIN_BYTES) {
            throw new CorruptCheckpointException(name, "header declares an impossible length of " + declared
                    + " bytes");
        }
        if (length < declared) {
            throw new CorruptCheckpointException(name, "truncated at byte " + length + " (the header declares "
                    + declared + " bytes)");
        }
        if (length > declared) {
            throw new CorruptCheckpointException(name, (length - declared) + " unexpected trailing bytes (there are "
                    + length + " bytes, the header declares " + declared + ")");
        }
        CRC32C crc = new CRC32C();
        crc.update(head, 0, head.length);
        byte[] buf = new byte[CHUNK];
        long pos = head.length;
        long end = length - CRC_BYTES;
        while (pos < end) {
            int n = (int) Math.min(buf.length, end - pos);
            readFully(in, buf, n, name, pos);
            crc.update(buf, 0, n);
            pos += n;
        }
        byte[] trailer = new byte[CRC_BYTES];
        readFully(in, trailer, CRC_BYTES, name, pos);
        long stored = ByteBuffer.wrap(trailer).getInt() & 0xFFFFFFFFL;
        if (stored != crc.getValue()) {
            throw new CorruptCheckpointException(name, String.format("checksum mismatch: stored CRC32C %08x,"
                    + " computed %08x", stored, crc.getValue()));
        }
        return version;
    }

    /**
     * Parses a checkpoint that {@link #verify} accepted; {@code in} is positioned just after the
     * header, and every length is checked against the bytes left before the checksum.
     */
    static Checkpoint parseBody(InputStream in, int version, long length, String name) throws IOException {
        long end = length - CRC_BYTES;
        CheckpointDecoder d = new CheckpointDecoder(new DataInputStream(new BufferedInputStream(in, CHUNK)), name,
                HEADER_BYTES, end);
        Checkpoint c = d.decode(version);
        if (d.position() != end) {
            throw new CorruptCheckpointException(name, (end - d.position()) + " unparsed bytes before the checksum");
        }
        return c;
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
        return sb.length() == 0 ? "(empty)" : sb.toString();
    }
}
