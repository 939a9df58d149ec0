package io.sparkgrad.spark.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.ParameterTuple;
import io.sparkgrad.nn.OptimizerState;
import io.sparkgrad.spark.checkpoint.CheckpointTestSupport.Model;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointStoreTest {
    @TempDir
    java.nio.file.Path tmp;

    private CheckpointStore store() throws IOException {
        return new CheckpointStore(tmp.resolve("ckpts").toString());
    }

    private java.nio.file.Path local(long step) {
        return tmp.resolve("ckpts").resolve(CheckpointStore.fileName(step));
    }

    private List<String> dirListing() throws IOException {
        try (Stream<java.nio.file.Path> s = Files.list(tmp.resolve("ckpts"))) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    private static void assertBitwiseEqual(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        for (int i = 0; i < a.length; i++) {
            assertEquals(Float.floatToRawIntBits(a[i]), Float.floatToRawIntBits(b[i]), "value " + i);
        }
    }

    private static void assertBitwiseEqual(double[] a, double[] b) {
        assertEquals(a.length, b.length);
        for (int i = 0; i < a.length; i++) {
            assertEquals(Double.doubleToRawLongBits(a[i]), Double.doubleToRawLongBits(b[i]), "value " + i);
        }
    }

    // ------------------------------------------------------------------ round trip

    @Test
    void roundTripKeepsEveryFieldBitwise() throws IOException {
        Model m = new Model(5, 3, 7).trained(2);
        Checkpoint c = m.checkpoint(123, 4);
        CheckpointStore store = store();
        Path written = store.write(c);
        assertEquals("ckpt-000000000123.sgck", written.getName());
        assertEquals(List.of("ckpt-000000000123.sgck"), dirListing(), "no temp or .crc files left");
        assertEquals(CheckpointCodec.encodedLength(c), Files.size(local(123)));

        Checkpoint r = store.read(written);
        assertEquals(c, r);
        assertEquals(1, r.formatVersion());
        assertEquals(123, r.step());
        assertEquals(4, r.epoch());
        assertEquals(42L, r.seed());
        assertEquals("dense:5->3", r.modelSpec());
        assertEquals(List.of("weight", "bias"), r.paramNames());
        assertArrayEquals(new int[] {3, 5}, r.paramShape(0));
        assertArrayEquals(new int[] {3}, r.paramShape(1));
        assertBitwiseEqual(m.params.flatten(), r.values());

        OptimizerState want = m.opt.exportState();
        OptimizerState got = r.optimizerState();
        assertEquals("adam", got.kind());
        assertEquals(2, got.step());
        assertEquals(Double.doubleToRawLongBits(want.learningRate()), Double.doubleToRawLongBits(got.learningRate()));
        assertEquals(List.copyOf(want.slotNames()), List.copyOf(got.slotNames()));
        assertEquals(4, got.slotNames().size(), "m and v for weight and bias");
        for (String s : want.slotNames()) {
            assertBitwiseEqual(want.slot(s), got.slot(s));
        }
        assertEquals(Optional.of(c), store.latest());
        assertEquals(List.of(123L), store.steps());
    }

    @Test
    void restoredModelContinuesBitwiseLikeTheOriginal() throws IOException {
        Model original = new Model(5, 3, 7).trained(2);
        CheckpointStore store = store();
        store.write(original.checkpoint(2, 0));

        Model fresh = new Model(5, 3, 99);
        assertNotEquals(Float.floatToRawIntBits(original.params.flatten()[0]),
                Float.floatToRawIntBits(fresh.params.flatten()[0]), "different init, so restoring is observable");
        store.latest().orElseThrow().restoreInto(fresh.params, fresh.opt);
        assertBitwiseEqual(original.params.flatten(), fresh.params.flatten());
        assertEquals(2, fresh.opt.stepCount());

        original.opt.step(original.grads(3));
        fresh.opt.step(fresh.grads(3));
        assertBitwiseEqual(original.params.flatten(), fresh.params.flatten());
        original.opt.step(original.grads(4));
        fresh.opt.step(fresh.grads(4));
        assertBitwiseEqual(original.params.flatten(), fresh.params.flatten());
    }

    @Test
    void nanPayloadsAndSpecialValuesSurvive() throws IOException {
        float weirdNan = Float.intBitsToFloat(0x7fc00123);
        float[] values = {weirdNan, Float.POSITIVE_INFINITY, -0.0f, Float.MIN_VALUE, 1.5f, -2f};
        Map<String, double[]> slots = new LinkedHashMap<>();
        slots.put("m/0", new double[] {Double.longBitsToDouble(0x7ff8000000000abcL), -0.0, Double.MAX_VALUE});
        Checkpoint c = Checkpoint.builder().step(7).epoch(1).seed(-5).modelSpec("ünïcødé ✓ spec")
                .paramNames(List.of("w", "b")).paramShapes(List.of(new int[] {2, 2}, new int[] {2})).values(values)
                .optimizerState(new OptimizerState("sgd", 7, 0.1, slots)).build();
        CheckpointStore store = store();
        Checkpoint r = store.read(store.write(c));
        assertEquals(c, r);
        assertBitwiseEqual(values, r.values());
        assertBitwiseEqual(slots.get("m/0"), r.optimizerState().slot("m/0"));
        assertEquals("ünïcødé ✓ spec", r.modelSpec());
    }

    // ------------------------------------------------------------------ corruption

    private byte[] writeAndLoad(CheckpointStore store, long step) throws IOException {
        store.write(new Model(5, 3, 7).trained(2).checkpoint(step, 0));
        return Files.readAllBytes(local(step));
    }

    private static void fixCrc(byte[] b) {
        CRC32C crc = new CRC32C();
        crc.update(b, 0, b.length - 4);
        ByteBuffer.wrap(b).putInt(b.length - 4, (int) crc.getValue());
    }

    @Test
    void flippedByteIsAChecksumMismatch() throws IOException {
        CheckpointStore store = store();
        byte[] b = writeAndLoad(store, 5);
        b[b.length / 2] ^= 0x10;
        Files.write(local(5), b);
        CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> store.read(5));
        assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
        assertTrue(e.getMessage().contains(CheckpointStore.fileName(5)), "names the file: " + e.getMessage());
    }

    @Test
    void flippedTrailerIsAChecksumMismatch() throws IOException {
        CheckpointStore store = store();
        byte[] b = writeAndLoad(store, 5);
        b[b.length - 1] ^= 0x01;
        Files.write(local(5), b);
        CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> store.read(5));
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());
    }

    @Test
    void truncatedFileNamesTheTruncation() throws IOException {
        CheckpointStore store = store();
        byte[] b = writeAndLoad(store, 5);
        for (int keep : new int[] {b.length - 10, 30, 15, 4, 0}) {
            Files.write(local(5), java.util.Arrays.copyOf(b, keep));
            CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> store.read(5));
            assertTrue(e.getMessage().contains("truncated at byte " + keep), keep + ": " + e.getMessage());
        }
    }

    @Test
    void wrongMagicIsRejected() throws IOException {
        CheckpointStore store = store();
        byte[] b = writeAndLoad(store, 5);
        b[1] = 'X';
        Files.write(local(5), b);
        CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> store.read(5));
        assertTrue(e.getMessage().contains("bad magic"), e.getMessage());

        Files.write(local(5), "PK\u0003\u0004 not a checkpoint at all".getBytes(StandardCharsets.ISO_8859_1));
        e = assertThrows(CorruptCheckpointException.class, () -> store.read(5));
        assertTrue(e.getMessage().contains("bad magic"), e.getMessage());
    }

    @Test
    void unknownVersionIsRejected() throws IOException {
        CheckpointStore store = store();
        byte[] b = writeAndLoad(store, 5);
        ByteBuffer.wrap(b).putInt(8, 7);
        fixCrc(b);
        Files.write(local(5), b);
        CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> store.read(5));
        assertTrue(e.getMessage().contains("unsupported version 7"), e.getMessage());
    }

    @Test
    void hugeLengthFieldsFailCleanlyWithoutAllocating() throws IOException {
        CheckpointStore store = store();
        byte[] good = writeAndLoad(store, 5);
        int specLen = ByteBuffer.wrap(good).getInt(40);
        int paramCountAt = 44 + specLen;
        // name of parameter 0 ("weight", 6 bytes), its rank and 2 dims, then bias: 4+4 + 4+4 + 4+4 + 4
        int valueCountAt = paramCountAt + 4 + (4 + 6 + 4 + 8) + (4 + 4 + 4 + 4);
        assertEquals(15 + 3, ByteBuffer.wrap(good).getInt(valueCountAt), "offset arithmetic");
        int[][] patches = {
            {40, Integer.MAX_VALUE},          // model spec length
            {40, -1},
            {paramCountAt, Integer.MAX_VALUE}, // parameter count
            {paramCountAt + 4, 0x7ffffff0},    // length of the first parameter name
            {paramCountAt + 4 + 4 + 6, 1 << 30}, // rank of the first parameter
            {valueCountAt, Integer.MAX_VALUE}, // value count
        };
        for (int[] patch : patches) {
            byte[] b = good.clone();
            ByteBuffer.wrap(b).putInt(patch[0], patch[1]);
            fixCrc(b); // a consistent checksum: only the length validation can catch it
            Files.write(local(5), b);
            CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> store.read(5),
                    "patch at " + patch[0]);
            assertTrue(e.getMessage().contains("does not fit") || e.getMessage().contains("remain"),
                    e.getMessage());
        }
        // A huge declared total length is a truncation, caught before any parsing.
        byte[] b = good.clone();
        ByteBuffer.wrap(b).putLong(12, Long.MAX_VALUE);
        fixCrc(b);
        Files.write(local(5), b);
        CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> store.read(5));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void stepInFileMustMatchItsName() throws IOException {
        CheckpointStore store = store();
        writeAndLoad(store, 5);
        Files.move(local(5), local(6));
        CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> store.read(6));
        assertTrue(e.getMessage().contains("step 6") && e.getMessage().contains("step 5"), e.getMessage());
    }

    @Test
    void latestSkipsACorruptNewestCheckpoint() throws IOException {
        CheckpointStore store = store();
        Model m = new Model(5, 3, 7).trained(2);
        Checkpoint ten = m.checkpoint(10, 0);
        store.write(ten);
        m.opt.step(m.grads(3));
        store.write(m.checkpoint(20, 1));
        assertEquals(20, store.latest().orElseThrow().step());

        byte[] b = Files.readAllBytes(local(20));
        b[b.length / 2] ^= 0x55;
        Files.write(local(20), b);
        assertEquals(List.of(10L, 20L), store.steps());
        assertEquals(Optional.of(ten), store.latest());

        Files.write(local(10), new byte[] {1, 2, 3});
        assertEquals(Optional.empty(), store.latest());
    }

    @Test
    void emptyOrMissingDirectoryHasNoCheckpoints() throws IOException {
        CheckpointStore store = store();
        assertEquals(List.of(), store.steps());
        assertEquals(Optional.empty(), store.latest());
        Files.createDirectories(tmp.resolve("ckpts"));
        Files.write(tmp.resolve("ckpts").resolve(".ckpt-000000000009.sgck.tmp-abc"), new byte[] {1});
        Files.write(tmp.resolve("ckpts").resolve("notes.txt"), new byte[] {1});
        assertEquals(List.of(), store.steps());
        assertEquals(Optional.empty(), store.latest());
    }

    // ------------------------------------------------------------------ retention

    @Test
    void keepLastDeletesOlderCheckpointsAfterAWrite() throws IOException {
        CheckpointStore store = store().keepLast(2);
        Model m = new Model(5, 3, 7);
        for (long s = 1; s <= 5; s++) {
            m.opt.step(m.grads((int) s));
            store.write(m.checkpoint(s, 0));
        }
        assertEquals(List.of(4L, 5L), store.steps());
        assertEquals(List.of(CheckpointStore.fileName(4), CheckpointStore.fileName(5)), dirListing());
        assertEquals(5, store.latest().orElseThrow().step());
        assertThrows(IllegalArgumentException.class, () -> store.keepLast(-1));
    }

    // ------------------------------------------------------------------ names

    @Test
    void fileNamesAreZeroPaddedAndParsed() {
        assertEquals("ckpt-000000000123.sgck", CheckpointStore.fileName(123));
        assertEquals(123, CheckpointStore.stepOf("ckpt-000000000123.sgck"));
        assertEquals(Long.MAX_VALUE, CheckpointStore.stepOf(CheckpointStore.fileName(Long.MAX_VALUE)));
        assertEquals(-1, CheckpointStore.stepOf(".ckpt-000000000123.sgck.tmp-1f"));
        assertEquals(-1, CheckpointStore.stepOf("ckpt-123.sgck"));
        assertThrows(IllegalArgumentException.class, () -> CheckpointStore.fileName(-1));
    }

    @Test
    void checkpointValidatesItsFields() {
        Model m = new Model(2, 2, 1);
        OptimizerState s = m.opt.exportState();
        ParameterTuple p = m.params;
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.of(-1, 0, 0, "", p, s));
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.of(0, -1, 0, "", p, s));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Checkpoint.of(0, 0, 0, "", p, s).toBuilder().values(new float[5]).build());
        assertTrue(e.getMessage().contains("6 values but 5"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Checkpoint.of(0, 0, 0, "", p, s).toBuilder().paramNames(List.of("w")).build());
        // accessors hand out copies
        Checkpoint c = Checkpoint.of(0, 0, 0, "", p, s);
        c.values()[0] = 123f;
        c.paramShapes().get(0)[0] = 99;
        assertEquals(Checkpoint.of(0, 0, 0, "", p, s), c);
    }
}
