package io.sparkgrad.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GradientSumTest {

    @Test
    void emptySumIsZero() {
        GradientSum s = GradientSum.empty(3);
        assertArrayEquals(new double[3], s.gradient());
        assertEquals(0, s.loss());
        assertEquals(0, s.weight());
        assertEquals(0, s.count());
        assertTrue(s.isFinite());
    }

    @Test
    void addAccumulatesGradientLossWeightAndCount() {
        GradientSum s = GradientSum.empty(2)
                .add(new float[] {1, 2}, 0.5, 2, 2, "a")
                .add(new float[] {0.25f, -1}, 1.5, 3, 3, "b");
        assertArrayEquals(new double[] {1.25, 1}, s.gradient());
        assertEquals(2.0, s.loss());
        assertEquals(5.0, s.weight());
        assertEquals(5, s.count());
        assertArrayEquals(new float[] {0.25f, 0.2f}, s.scaledGradient(1.0 / 5));
    }

    @Test
    void mergeWithEmptyIsIdentityBothWays() {
        GradientSum a = GradientSum.empty(2).add(new float[] {3, -4}, 7, 2, 2, "a");
        GradientSum left = GradientSum.empty(2).merge(a);
        GradientSum right = GradientSum.empty(2).add(new float[] {3, -4}, 7, 2, 2, "a").merge(GradientSum.empty(2));
        for (GradientSum s : new GradientSum[] {left, right}) {
            assertArrayEquals(new double[] {3, -4}, s.gradient());
            assertEquals(7, s.loss());
            assertEquals(2, s.weight());
            assertEquals(2, s.count());
        }
    }

    @Test
    void dimensionMismatchIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GradientSum.empty(2).merge(GradientSum.empty(3)));
        assertTrue(e.getMessage().contains("2") && e.getMessage().contains("3"), e.getMessage());
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
                () -> GradientSum.empty(2).add(new float[3], 0, 1, 1, "x"));
        assertTrue(e2.getMessage().contains("dimension 3"), e2.getMessage());
    }

    @Test
    void nonFiniteValuesAreRecordedNotAdded() {
        GradientSum s = GradientSum.empty(2)
                .add(new float[] {1, 1}, 1, 1, 1, "partition 0, rows 0")
                .add(new float[] {Float.NaN, 1}, 1, 1, 1, "partition 1, rows 5,6");
        assertFalse(s.isFinite());
        assertEquals("non-finite gradient at partition 1, rows 5,6", s.nonFinite());
        assertArrayEquals(new double[] {1, 1}, s.gradient());
        GradientSum inf = GradientSum.empty(1).add(new float[] {0}, Double.POSITIVE_INFINITY, 1, 1, "partition 2, rows 9");
        assertTrue(inf.nonFinite().startsWith("non-finite loss Infinity at partition 2"), inf.nonFinite());
        GradientSum merged = GradientSum.empty(2).merge(GradientSum.empty(2)).merge(s);
        assertEquals(s.nonFinite(), merged.nonFinite());
        assertNull(GradientSum.empty(2).nonFinite());
    }

    /**
     * A sum of one micro-batch keeps its values as float and opens no double accumulator (4 bytes
     * per value on the task, not 12); the values are bitwise those the double path gave, -0 as +0.
     */
    @Test
    void oneAddKeepsFloatValuesWithoutAnAccumulatorAndTheSameBits() {
        float[] g = {-0f, 1e-30f, -3.5f, 16777217f};
        GradientSum one = GradientSum.empty(4).add(g, 1, 1, 1, "a");
        assertTrue(one.sealed(), "no double accumulator after a single add");
        float[] want = new float[4];
        for (int i = 0; i < 4; i++) {
            want[i] = (float) (0.0 + g[i]); // what the double accumulator gave
        }
        assertEquals(Float.floatToRawIntBits(0f), Float.floatToRawIntBits(one.sealedValues()[0]), "-0 becomes +0");
        assertArrayEquals(want, one.sealedValues());
        g[2] = 99; // the sum holds its own copy
        assertEquals(-3.5f, one.sealedValues()[2]);
        GradientSum two = GradientSum.empty(4).add(new float[] {1, 1, 1, 1}, 1, 1, 1, "a")
                .add(new float[] {0.5f, 0.5f, 0.5f, 0.5f}, 1, 1, 1, "b");
        assertFalse(two.sealed(), "a second add opens the accumulator");
        assertArrayEquals(new float[] {1.5f, 1.5f, 1.5f, 1.5f}, two.seal().sealedValues());
        assertArrayEquals(new float[3], GradientSum.empty(3).seal().sealedValues(), "an empty sum seals to zeros");
    }

    /** Pieces (each parameter's gradient, read in place) add exactly as their concatenation does. */
    @Test
    void piecesAddAsTheirConcatenation() {
        float[][] a = {{1.5f, -0f}, {}, {3e-8f, 7f, -2f}};
        float[][] b = {{0.25f, 1f}, {}, {-3e-8f, 0.5f, Float.MIN_VALUE}};
        GradientSum pieces = GradientSum.empty(5).add(a, 1, 2, 2, "a").add(b, 0.5, 1, 1, "b").seal();
        GradientSum flat = GradientSum.empty(5).add(new float[] {1.5f, -0f, 3e-8f, 7f, -2f}, 1, 2, 2, "a")
                .add(new float[] {0.25f, 1f, -3e-8f, 0.5f, Float.MIN_VALUE}, 0.5, 1, 1, "b").seal();
        assertArrayEquals(flat.sealedValues(), pieces.sealedValues());
        assertEquals(flat.loss(), pieces.loss());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GradientSum.empty(5).add(new float[][] {{1f}, {2f}}, 0, 1, 1, "short"));
        assertEquals("GradientSum.add: gradient of dimension 2 into a sum of dimension 5", e.getMessage());
        assertFalse(GradientSum.empty(2).add(new float[][] {{1f}, {Float.NaN}}, 0, 1, 1, "nan").isFinite());
    }
}
