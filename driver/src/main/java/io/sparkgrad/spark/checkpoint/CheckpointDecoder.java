package io.sparkgrad.spark.checkpoint;

import io.sparkgrad.nn.OptimizerState;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses the body of a checkpoint (everything between the header and the checksum, see
 * {@link CheckpointCodec}), checking every length and count against the bytes left before the
 * checksum before allocating anything. One instance parses one checkpoint; not thread-safe.
 */
final class CheckpointDecoder {
    private final DataInputStream in;
    private final String name;
    private final long end;
    private long pos;
    private final byte[] chunk = new byte[CheckpointCodec.CHUNK];

    CheckpointDecoder(DataInputStream in, String name, long pos, long end) {
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
            int n = Math.min(CheckpointCodec.CHUNK / 4, v - i);
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
                int n = Math.min(CheckpointCodec.CHUNK / 8, len - i);
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
        EarlyStoppingState es = version >= Checkpoint.CURRENT_FORMAT_VERSION ? earlyStopping(v) : null;
        try {
            return Checkpoint.builder().formatVersion(version).step(step).epoch(epoch).seed(seed).modelSpec(spec)
                    .paramNames(names).paramShapes(shapes).values(values)
                    .optimizerState(new OptimizerState(kind, optStep, lr, slotMap)).earlyStopping(es).build();
        } catch (IllegalArgumentException e) {
            throw new CorruptCheckpointException(name, "invalid content: " + e.getMessage(), e);
        }
    }

    /** The early-stopping section of a version-2 checkpoint whose parameters hold {@code numel} values. */
    private EarlyStoppingState earlyStopping(int numel) throws IOException {
        long bestStep = readLong();
        int bestEpoch = readInt();
        double bestLoss = Double.longBitsToDouble(readLong());
        int rounds = readInt();
        long countAt = pos;
        int n = readCount("best value count", 4);
        if (n != numel) {
            throw corrupt("best value count " + n + " at byte " + countAt + " does not match the " + numel
                    + " parameter values");
        }
        float[] best = new float[n];
        for (int i = 0; i < n; ) {
            int k = Math.min(CheckpointCodec.CHUNK / 4, n - i);
            readBytes(k * 4);
            ByteBuffer bb = ByteBuffer.wrap(chunk, 0, k * 4);
            for (int j = 0; j < k; j++) {
                best[i + j] = Float.intBitsToFloat(bb.getInt());
            }
            i += k;
        }
        try {
            return new EarlyStoppingState(bestStep, bestEpoch, bestLoss, rounds, best);
        } catch (IllegalArgumentException e) {
            throw new CorruptCheckpointException(name, "invalid early-stopping section: " + e.getMessage(), e);
        }
    }

    /** The offset of the next byte to parse. */
    long position() {
        return pos;
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
