package io.sparkgrad.shape;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NdIndexTest {

    /** The indices a walk visits, each as an array. */
    private static List<int[]> visits(NdIndex it, int rank) {
        List<int[]> out = new ArrayList<>();
        for (; !it.done(); it.next()) {
            int[] idx = new int[rank];
            for (int d = 0; d < rank; d++) {
                idx[d] = it.index(d);
            }
            out.add(idx);
        }
        return out;
    }

    @Test
    void visitsEveryIndexInRowMajorOrder() {
        int[] shape = {2, 3, 2};
        List<int[]> seen = visits(NdIndex.over(shape), 3);
        assertEquals(12, seen.size());
        int k = 0;
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                for (int l = 0; l < 2; l++) {
                    assertArrayEquals(new int[] {i, j, l}, seen.get(k++));
                }
            }
        }
    }

    @Test
    void rowMajorStridesGiveTheFlatPosition() {
        int[] shape = {3, 1, 4, 2};
        NdIndex it = NdIndex.over(shape, Shapes.strides(shape));
        int k = 0;
        for (; !it.done(); it.next()) {
            assertEquals(k++, it.offset(0));
        }
        assertEquals(Shapes.size(shape), k);
    }

    @Test
    void rankZeroHasOneIndexAndOneRow() {
        NdIndex it = NdIndex.over(new int[0], new int[0]);
        assertEquals(1, visits(it, 0).size());
        NdIndex rows = NdIndex.rows(new int[0], new int[0]);
        assertEquals(1, rows.rowLength());
        assertEquals(0, rows.rowStride(0));
        assertEquals(0, rows.offset(0));
        rows.next();
        assertTrue(rows.done());
    }

    @Test
    void aZeroDimensionMeansNoIndices() {
        assertTrue(NdIndex.over(new int[] {3, 0, 2}).done());
        assertTrue(NdIndex.rows(new int[] {3, 2, 0}).done());
        assertTrue(NdIndex.rows(new int[] {0}).done());
        assertEquals(0, visits(NdIndex.over(new int[] {0}), 1).size());
    }

    @Test
    void broadcastOffsetsRepeatAlongStrideZeroAxes() {
        // [3] broadcast against [2, 3] and [2, 1] broadcast against [2, 3]
        int[] out = {2, 3};
        NdIndex it = NdIndex.over(out, Shapes.broadcastStrides(new int[] {3}, out),
                Shapes.broadcastStrides(new int[] {2, 1}, out));
        List<Integer> a = new ArrayList<>();
        List<Integer> b = new ArrayList<>();
        for (; !it.done(); it.next()) {
            a.add(it.offset(0));
            b.add(it.offset(1));
        }
        assertEquals(List.of(0, 1, 2, 0, 1, 2), a);
        assertEquals(List.of(0, 0, 0, 1, 1, 1), b);
    }

    @Test
    void rowsStepTheLeadingAxesWithPermutedStrides() {
        // the transpose of a [2, 3, 4] array to [4, 2, 3]: output axis i is input axis perm[i]
        int[] in = {2, 3, 4};
        int[] st = Shapes.strides(in); // 12, 4, 1
        int[] perm = {2, 0, 1};
        int[] os = {in[perm[0]], in[perm[1]], in[perm[2]]};
        int[] pst = {st[perm[0]], st[perm[1]], st[perm[2]]};
        NdIndex rows = NdIndex.rows(os, pst);
        assertEquals(3, rows.rowLength());
        assertEquals(4, rows.rowStride(0));
        List<Integer> starts = new ArrayList<>();
        List<int[]> leading = new ArrayList<>();
        for (; !rows.done(); rows.next()) {
            starts.add(rows.offset(0));
            leading.add(new int[] {rows.index(0), rows.index(1), rows.index(2)});
        }
        // rows are indexed by (i0, i1), starting at i0*1 + i1*12
        assertEquals(List.of(0, 12, 1, 13, 2, 14, 3, 15), starts);
        assertArrayEquals(new int[] {3, 1, 0}, leading.get(7));
    }

    @Test
    void offsetsCanBeAddedToABase() {
        // a [2, 2] slice at (1, 1) of a [3, 4] array: base 5, strides of the whole array
        int[] st = Shapes.strides(new int[] {3, 4});
        NdIndex it = NdIndex.over(new int[] {2, 2}, st);
        List<Integer> flat = new ArrayList<>();
        for (; !it.done(); it.next()) {
            flat.add(5 + it.offset(0));
        }
        assertEquals(List.of(5, 6, 9, 10), flat);
    }

    @Test
    void stridesMustHaveOneEntryPerAxis() {
        assertThrows(IllegalArgumentException.class, () -> NdIndex.over(new int[] {2, 3}, new int[] {1}));
    }
}
