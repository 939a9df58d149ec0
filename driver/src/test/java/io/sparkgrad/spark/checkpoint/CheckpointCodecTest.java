package io.sparkgrad.spark.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.nn.OptimizerState;
import io.sparkgrad.spark.checkpoint.CheckpointTestSupport.Model;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/** The checkpoint format on byte arrays alone: no file system. */
class CheckpointCodecTest {
    private static Checkpoint small() {
        Map<String, double[]> slots = new LinkedHashMap<>();
        slots.put("m/w", new double[] {0.25, -1.5, Double.longBitsToDouble(0x7ff8000000000abcL), -0.0});
        return Checkpoint.builder().step(9).epoch(2).seed(-3).modelSpec("spec ✓")
                .paramNames(List.of("w", "b")).paramShapes(List.of(new int[] {1, 3}, new int[] {1}))
                .values(new float[] {1f, -2f, Float.intBitsToFloat(0x7fc00123), 0.5f})
                .optimizerState(new OptimizerState("adam", 4, 0.125, slots)).build();
    }

    private static String reason(byte[] bytes) {
        CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class,
                () -> CheckpointCodec.decode(bytes, "bytes-under-test"));
        assertEquals("bytes-under-test", e.file());
        assertTrue(e.getMessage().startsWith("corrupt checkpoint bytes-under-test: "), e.getMessage());
        return e.reason();
    }

    @Test
    void roundTripOnBytesKeepsEveryFieldBitwise() throws IOException {
        Checkpoint c = small();
        byte[] b = CheckpointCodec.encode(c);
        assertEquals(CheckpointCodec.encodedLength(c), b.length);
        Checkpoint r = CheckpointCodec.decode(b, "x");
        assertEquals(c, r); // equals compares floats and doubles by bit pattern
        assertEquals(9, r.step());
        assertEquals(2, r.epoch());
        assertEquals(-3, r.seed());
        assertEquals("spec ✓", r.modelSpec());
        assertEquals(0x7fc00123, Float.floatToRawIntBits(r.values()[2]));
        assertEquals(0x7ff8000000000abcL, Double.doubleToRawLongBits(r.optimizerState().slot("m/w")[2]));
        assertEquals(Long.MIN_VALUE, Double.doubleToRawLongBits(r.optimizerState().slot("m/w")[3]), "-0.0 kept");

        Checkpoint trained = new Model(5, 3, 7).trained(2).checkpoint(123, 4);
        assertEquals(trained, CheckpointCodec.decode(CheckpointCodec.encode(trained), "y"));
    }

    @Test
    void headerAndTrailerAreAsDocumented() throws IOException {
        Checkpoint c = small();
        byte[] b = CheckpointCodec.encode(c);
        ByteBuffer bb = ByteBuffer.wrap(b);
        assertArrayEquals(new byte[] {(byte) 0x89, 'S', 'G', 'C', 'K', '\r', '\n', 0x1A}, Arrays.copyOf(b, 8));
        assertEquals(1, bb.getInt(8), "version");
        assertEquals(b.length, bb.getLong(12), "total length");
        assertEquals(9, bb.getLong(20), "step");
        assertEquals(2, bb.getInt(28), "epoch");
        assertEquals(-3, bb.getLong(32), "seed");
        assertEquals("spec ✓".getBytes(java.nio.charset.StandardCharsets.UTF_8).length, bb.getInt(40));
        CRC32C crc = new CRC32C();
        crc.update(b, 0, b.length - 4);
        assertEquals(crc.getValue(), bb.getInt(b.length - 4) & 0xFFFFFFFFL, "CRC32C of all preceding bytes");

        ByteArrayOutputStream streamed = new ByteArrayOutputStream();
        CheckpointCodec.encode(c, streamed);
        assertArrayEquals(b, streamed.toByteArray(), "the stream and array forms write the same bytes");
    }

    @Test
    void aFlippedByteAnywhereIsRejected() {
        byte[] good = CheckpointCodec.encode(small());
        for (int i = 0; i < good.length; i++) {
            byte[] b = good.clone();
            b[i] ^= 0x04;
            String why = reason(b);
            if (i >= 20) { // past magic, version and length, only the checksum can tell
                assertTrue(why.startsWith("checksum mismatch: stored CRC32C "), i + ": " + why);
            }
        }
        byte[] b = good.clone();
        b[good.length / 2] ^= 0x10;
        assertTrue(reason(b).matches("checksum mismatch: stored CRC32C [0-9a-f]{8}, computed [0-9a-f]{8}"));
        b = good.clone();
        b[1] = 'X';
        assertEquals("bad magic bytes 895847434b0d0a1a (not a SparkGrad checkpoint)", reason(b),
                "names the bytes found");
    }

    @Test
    void truncationIsRejectedWithTheByteWhereItEnds() {
        byte[] good = CheckpointCodec.encode(small());
        for (int keep = 0; keep < good.length; keep++) {
            String why = reason(Arrays.copyOf(good, keep));
            assertTrue(why.startsWith("truncated at byte " + keep + " ("), keep + ": " + why);
        }
        assertEquals("truncated at byte 30 (the header declares " + good.length + " bytes)",
                reason(Arrays.copyOf(good, 30)));
        byte[] longer = Arrays.copyOf(good, good.length + 3);
        assertEquals("3 unexpected trailing bytes (there are " + longer.length + " bytes, the header declares "
                + good.length + ")", reason(longer));
    }

    @Test
    void aLengthThatDoesNotFitIsRejectedEvenWithAValidChecksum() {
        byte[] b = CheckpointCodec.encode(small());
        ByteBuffer.wrap(b).putInt(40, Integer.MAX_VALUE); // model spec length
        CRC32C crc = new CRC32C();
        crc.update(b, 0, b.length - 4);
        ByteBuffer.wrap(b).putInt(b.length - 4, (int) crc.getValue());
        String why = reason(b);
        assertTrue(why.startsWith("length 2147483647 of model spec at byte 40 does not fit the "), why);
    }

    @Test
    void onlyVersionsOneAndTwoAreWritten() {
        Checkpoint v7 = small().toBuilder().formatVersion(7).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CheckpointCodec.encode(v7));
        assertEquals("can only write format versions 1 and 2, the checkpoint has version 7", e.getMessage());
    }
}
