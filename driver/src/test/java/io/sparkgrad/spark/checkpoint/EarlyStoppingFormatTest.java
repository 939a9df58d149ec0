package io.sparkgrad.spark.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.nn.OptimizerState;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/**
 * Format version 2, the early-stopping section: written only for a checkpoint with
 * {@link EarlyStoppingState}; a checkpoint without it is still version 1, byte for byte; both
 * versions are read, from bytes assembled here from {@code docs/CHECKPOINT_FORMAT.md}, not by the
 * encoder.
 */
class EarlyStoppingFormatTest {
    private static final float[] VALUES = {1f, -2f, Float.intBitsToFloat(0x7fc00123), 0.5f};
    private static final float[] BEST = {0.75f, -0.0f, 3f, Float.intBitsToFloat(0x7fc00456)};
    private static final EarlyStoppingState STATE = new EarlyStoppingState(6, 1,
            Double.longBitsToDouble(0x3fd5555555555555L), 2, BEST);

    private static Checkpoint.Builder base() {
        Map<String, double[]> slots = new LinkedHashMap<>();
        slots.put("m/w", new double[] {0.25, -1.5});
        return Checkpoint.builder().step(9).epoch(2).seed(-3).modelSpec("spec")
                .paramNames(List.of("w", "b")).paramShapes(List.of(new int[] {1, 3}, new int[] {1}))
                .values(VALUES).optimizerState(new OptimizerState("adam", 4, 0.125, slots));
    }

    /** The documented layout, written field by field; {@code state} null gives version 1. */
    private static byte[] documented(EarlyStoppingState state) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        DataOutputStream o = new DataOutputStream(body);
        o.writeLong(9);
        o.writeInt(2);
        o.writeLong(-3);
        string(o, "spec");
        o.writeInt(2);
        string(o, "w");
        o.writeInt(2);
        o.writeInt(1);
        o.writeInt(3);
        string(o, "b");
        o.writeInt(1);
        o.writeInt(1);
        o.writeInt(4);
        for (float v : VALUES) {
            o.writeInt(Float.floatToRawIntBits(v));
        }
        string(o, "adam");
        o.writeLong(4);
        o.writeLong(Double.doubleToRawLongBits(0.125));
        o.writeInt(1);
        string(o, "m/w");
        o.writeInt(2);
        o.writeLong(Double.doubleToRawLongBits(0.25));
        o.writeLong(Double.doubleToRawLongBits(-1.5));
        if (state != null) {
            o.writeLong(state.bestStep());
            o.writeInt(state.bestEpoch());
            o.writeLong(Double.doubleToRawLongBits(state.bestLoss()));
            o.writeInt(state.roundsWithoutImprovement());
            o.writeInt(state.numel());
            for (float v : state.bestValues()) {
                o.writeInt(Float.floatToRawIntBits(v));
            }
        }
        o.flush();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        DataOutputStream a = new DataOutputStream(all);
        a.write(CheckpointCodec.MAGIC);
        a.writeInt(state == null ? 1 : 2);
        a.writeLong(20L + body.size() + 4);
        a.write(body.toByteArray());
        a.flush();
        byte[] b = Arrays.copyOf(all.toByteArray(), all.size() + 4);
        fixCrc(b);
        return b;
    }

    private static void string(DataOutputStream o, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        o.writeInt(b.length);
        o.write(b);
    }

    private static void fixCrc(byte[] b) {
        CRC32C crc = new CRC32C();
        crc.update(b, 0, b.length - 4);
        ByteBuffer.wrap(b).putInt(b.length - 4, (int) crc.getValue());
    }

    private static String reason(byte[] bytes) {
        return assertThrows(CorruptCheckpointException.class, () -> CheckpointCodec.decode(bytes, "b")).reason();
    }

    @Test
    void withoutEarlyStoppingStateTheFileIsVersionOneAsBefore() throws IOException {
        Checkpoint c = base().build();
        assertEquals(1, c.formatVersion());
        assertNull(c.earlyStopping());
        byte[] v1 = documented(null);
        assertArrayEquals(v1, CheckpointCodec.encode(c), "the encoder writes version 1 exactly as documented");
        Checkpoint old = CheckpointCodec.decode(v1, "old");
        assertEquals(c, old);
        assertNull(old.earlyStopping());
    }

    @Test
    void theEarlyStoppingSectionRoundTripsBitwiseAsVersionTwo() throws IOException {
        Checkpoint c = base().earlyStopping(STATE).build();
        assertEquals(2, c.formatVersion());
        byte[] v2 = documented(STATE);
        byte[] encoded = CheckpointCodec.encode(c);
        assertArrayEquals(v2, encoded, "the section follows the optimizer slots, as documented");
        assertEquals(CheckpointCodec.encodedLength(c), encoded.length);
        Checkpoint r = CheckpointCodec.decode(v2, "new");
        assertEquals(c, r);
        EarlyStoppingState s = r.earlyStopping();
        assertEquals(6, s.bestStep());
        assertEquals(1, s.bestEpoch());
        assertEquals(0x3fd5555555555555L, Double.doubleToRawLongBits(s.bestLoss()));
        assertEquals(2, s.roundsWithoutImprovement());
        assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(s.bestValues()[1]));
        assertEquals(0x7fc00456, Float.floatToRawIntBits(s.bestValues()[3]));
        assertArrayEquals(VALUES, r.values(), "the live parameters are kept apart from the best ones");
        // toBuilder follows the content: dropping the state gives version 1 again
        assertEquals(1, r.toBuilder().earlyStopping(null).build().formatVersion());
        assertNotEquals(c, base().earlyStopping(new EarlyStoppingState(6, 1, s.bestLoss(), 3, BEST)).build());
    }

    @Test
    void damagedOrInconsistentSectionsAreRejected() throws IOException {
        byte[] good = documented(STATE);
        for (int keep = 0; keep < good.length; keep++) {
            String why = reason(Arrays.copyOf(good, keep));
            assertTrue(why.startsWith("truncated at byte " + keep + " ("), keep + ": " + why);
        }
        for (int i = 20; i < good.length; i++) {
            byte[] b = good.clone();
            b[i] ^= 0x04;
            assertTrue(reason(b).startsWith("checksum mismatch"), "byte " + i);
        }
        int sectionAt = good.length - 4 - (8 + 4 + 8 + 4 + 4 + 4 * BEST.length);
        byte[] count = good.clone();
        ByteBuffer.wrap(count).putInt(sectionAt + 24, 3);
        fixCrc(count);
        assertEquals("best value count 3 at byte " + (sectionAt + 24) + " does not match the 4 parameter values",
                reason(count));
        byte[] huge = good.clone();
        ByteBuffer.wrap(huge).putInt(sectionAt + 24, Integer.MAX_VALUE);
        fixCrc(huge);
        assertTrue(reason(huge).startsWith("best value count 2147483647 at byte " + (sectionAt + 24)
                + " does not fit the "), "refused before allocating");
        byte[] step = good.clone();
        ByteBuffer.wrap(step).putLong(sectionAt, 0);
        fixCrc(step);
        assertTrue(reason(step).startsWith("invalid early-stopping section: "), reason(step));
        // a version-1 header on a file with the section: the section is unparsed bytes
        byte[] v1 = good.clone();
        ByteBuffer.wrap(v1).putInt(8, 1);
        fixCrc(v1);
        assertEquals((8 + 4 + 8 + 4 + 4 + 4 * BEST.length) + " unparsed bytes before the checksum", reason(v1));
    }

    @Test
    void theBuilderKeepsVersionAndContentConsistent() {
        assertThrows(IllegalArgumentException.class, () -> base().formatVersion(1).earlyStopping(STATE).build());
        assertThrows(IllegalArgumentException.class, () -> base().formatVersion(2).build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> base().earlyStopping(new EarlyStoppingState(6, 1, 0.5, 2, new float[3])).build());
        assertEquals("Checkpoint: the early-stopping state holds 3 best values, the parameters 4", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new EarlyStoppingState(0, 0, 0.5, 0, BEST));
        assertThrows(IllegalArgumentException.class, () -> new EarlyStoppingState(1, 0, 0.5, -1, BEST));
        float[] mine = BEST.clone();
        EarlyStoppingState s = new EarlyStoppingState(1, 0, 0.5, 0, mine);
        mine[0] = 99;
        s.bestValues()[1] = 99;
        assertArrayEquals(BEST, s.bestValues(), "copied in and out");
    }
}
