package io.sparkgrad.spark.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.sparkgrad.nn.OptimizerState;
import io.sparkgrad.spark.fuzz.FuzzBudget;
import io.sparkgrad.spark.fuzz.Mutator;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes {@link CheckpointCodec#decode} (issue 9, section 2) with mutations of the seed corpus in
 * {@code src/test/resources/fuzz/checkpoint} and of checkpoints built here. Half the inputs are
 * taken as they are (most fail at the magic bytes, the length or the checksum); the other half get
 * a consistent header length and a recomputed CRC32C, so the mutations reach the body parser.
 * Every input decodes or fails with a {@link CorruptCheckpointException}; nothing else escapes,
 * nothing runs out of memory, and an input that decodes re-encodes to the same bytes (the format
 * is canonical). {@link FuzzBudget#hangGuard} bounds it against a hang (not a speed check).
 */
class CheckpointDecoderFuzzTest {
    static Checkpoint sample(String spec, int params, int optSlots) {
        List<String> names = new ArrayList<>();
        List<int[]> shapes = new ArrayList<>();
        int total = 0;
        for (int i = 0; i < params; i++) {
            names.add("layer" + i + ".w");
            shapes.add(new int[] {2, i + 1});
            total += 2 * (i + 1);
        }
        float[] values = new float[total];
        for (int i = 0; i < total; i++) {
            values[i] = i * 0.5f - 1;
        }
        Map<String, double[]> slots = new LinkedHashMap<>();
        for (int k = 0; k < optSlots; k++) {
            slots.put("m" + k, new double[] {k, -k, 0.25});
        }
        return Checkpoint.builder().step(7).epoch(1).seed(42).modelSpec(spec).paramNames(names).paramShapes(shapes)
                .values(values).optimizerState(new OptimizerState("adam", 7, 0.01, slots)).build();
    }

    /** {@code b} with the header's length set to its length and a recomputed CRC32C trailer. */
    static byte[] reframe(byte[] b) {
        if (b.length < CheckpointCodec.HEADER_BYTES + CheckpointCodec.CRC_BYTES) {
            return b;
        }
        ByteBuffer bb = ByteBuffer.wrap(b);
        bb.putLong(12, b.length);
        CRC32C crc = new CRC32C();
        crc.update(b, 0, b.length - CheckpointCodec.CRC_BYTES);
        bb.putInt(b.length - CheckpointCodec.CRC_BYTES, (int) crc.getValue());
        return b;
    }

    @Test
    void everyInputDecodesOrIsACorruptCheckpoint() {
        assertTimeoutPreemptively(FuzzBudget.hangGuard(), CheckpointDecoderFuzzTest::fuzz);
    }

    private static void fuzz() {
        List<byte[]> corpus = new ArrayList<>(Mutator.corpus("fuzz/checkpoint"));
        corpus.add(CheckpointCodec.encode(sample("mlp:3,2", 2, 2)));
        corpus.add(CheckpointCodec.encode(sample("logreg ✓", 1, 0)));
        long seed = FuzzBudget.seed();
        Mutator m = new Mutator(seed, corpus, List.of());
        int decoded = 0;
        int refused = 0;
        for (int i = 0; i < FuzzBudget.iterations(); i++) {
            byte[] input = m.next();
            if (i % 2 == 1) {
                input = reframe(input);
            }
            try {
                Checkpoint c = CheckpointCodec.decode(input, "fuzz");
                decoded++;
                assertArrayEquals(input, CheckpointCodec.encode(c), "decoded, but re-encodes differently");
            } catch (CorruptCheckpointException e) {
                refused++;
                assertTrue(e.getMessage().startsWith("corrupt checkpoint fuzz: "), e.getMessage());
            } catch (Throwable t) {
                fail("seed " + seed + ", iteration " + i + ": " + t + " for " + Mutator.show(input), t);
            }
        }
        assertTrue(decoded > 10 && refused > 100, "decoded " + decoded + ", refused " + refused);
    }

    /** The offset of the value count V in an encoding of {@link #sample}{@code ("s", 1, 0)}. */
    private static int valueCountAt(byte[] b) {
        ByteBuffer bb = ByteBuffer.wrap(b);
        int at = CheckpointCodec.HEADER_BYTES + 8 + 4 + 8;
        at += 4 + bb.getInt(at); // model spec
        at += 4; // parameter count (1)
        at += 4 + bb.getInt(at); // name
        int rank = bb.getInt(at);
        return at + 4 + 4 * rank;
    }

    @Test
    void aValueCountOfTwoToThe31IsRefusedBeforeAllocating() {
        byte[] b = CheckpointCodec.encode(sample("s", 1, 0));
        int at = valueCountAt(b);
        ByteBuffer.wrap(b).putInt(at, Integer.MAX_VALUE); // 2^31 - 1 floats: 8 GiB, more than any test heap
        CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class,
                () -> CheckpointCodec.decode(reframe(b), "big"));
        assertTrue(e.reason().startsWith("value count 2147483647 at byte " + at + " does not fit the "), e.reason());
    }

    @Test
    void shapesOfTwoToThe31ElementsAreRefusedBeforeAllocating() {
        byte[] b = CheckpointCodec.encode(sample("s", 1, 0)); // one parameter of shape [2, 1]
        int dims = valueCountAt(b) - 8;
        ByteBuffer.wrap(b).putInt(dims, 1 << 16).putInt(dims + 4, 1 << 15); // 2^31 elements
        CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class,
                () -> CheckpointCodec.decode(reframe(b), "big"));
        assertTrue(e.reason().equals("parameter 'layer0.w' has more than 2^31 elements"), e.reason());
    }

    @Test
    void aSlotLengthOfTwoToThe31IsRefusedBeforeAllocating() {
        byte[] b = CheckpointCodec.encode(sample("s", 1, 1)); // one slot "m0" of 3 doubles, the last field
        int lengthAt = b.length - CheckpointCodec.CRC_BYTES - 3 * 8 - 4;
        ByteBuffer.wrap(b).putInt(lengthAt, Integer.MAX_VALUE);
        CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class,
                () -> CheckpointCodec.decode(reframe(b), "big"));
        assertTrue(e.reason().startsWith("length of slot 'm0' 2147483647 at byte " + lengthAt), e.reason());
    }
}
