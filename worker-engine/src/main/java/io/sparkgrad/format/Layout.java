package io.sparkgrad.format;

import io.sparkgrad.shape.NdIndex;
import io.sparkgrad.shape.Shapes;
import java.util.ArrayList;
import java.util.List;

/**
 * What both printouts share: the elements shown (all of them, or NumPy's summary of a large
 * tensor) and their nested-bracket layout, MindSpore's (one line per row) or NumPy's (rows
 * wrapped at 75 columns, blank lines between blocks).
 */
final class Layout {
    /** NumPy's {@code threshold}: above this many elements a tensor prints summarised. */
    static final int SUMMARY_THRESHOLD = 1000;
    /** NumPy's {@code edgeitems}: a summarised axis shows this many at each end, then "...". */
    static final int EDGE_ITEMS = 3;
    /** NumPy's default line width. */
    private static final int NUMPY_LINE_WIDTH = 75;

    private Layout() {
    }

    /** The elements shown, in row-major order of {@code shape}; {@code cut[d]}: axis d is summarised. */
    record Shown(int[] shape, boolean[] cut, double[] values) {
    }

    /** All elements, or NumPy's summary above {@link #SUMMARY_THRESHOLD} elements. */
    static Shown shown(TensorView t) {
        int[] s = t.shape();
        int r = s.length;
        boolean summarize = Shapes.size(s) > SUMMARY_THRESHOLD;
        int[][] keep = new int[r][];
        boolean[] cut = new boolean[r];
        int[] rs = new int[r];
        for (int d = 0; d < r; d++) {
            cut[d] = summarize && s[d] > 2 * EDGE_ITEMS;
            int len = cut[d] ? 2 * EDGE_ITEMS : s[d];
            keep[d] = new int[len];
            for (int i = 0; i < len; i++) {
                keep[d][i] = cut[d] && i >= EDGE_ITEMS ? s[d] - 2 * EDGE_ITEMS + i : i;
            }
            rs[d] = len;
        }
        int[] st = Shapes.strides(s);
        double[] vals = new double[Shapes.size(rs)];
        NdIndex it = NdIndex.over(rs);
        for (int k = 0; !it.done(); k++, it.next()) {
            int off = 0;
            for (int d = 0; d < r; d++) {
                off += keep[d][it.index(d)] * st[d];
            }
            vals[k] = t.getFlat(off);
        }
        return new Shown(rs, cut, vals);
    }

    /** A Bool element inside brackets, padded to the width of {@code False}. */
    static String boolText(double v) {
        return v != 0 ? " True" : "False";
    }

    /**
     * Lays out items as nested brackets: NumPy's layout (rows wrapped at 75 columns, blank lines
     * between blocks) when {@code numpy}, else MindSpore's repr layout (one line per row).
     */
    static void nest(StringBuilder sb, int[] shape, boolean[] cut, int dim, int offset, List<String> items,
                     String sep, int indent, boolean numpy) {
        if (numpy && dim == shape.length - 1) {
            sb.append(numpyRow(items, offset, shape[dim], shape.length, cut[dim]));
            return;
        }
        sb.append('[');
        int n = shape[dim];
        int stride = 1;
        for (int i = dim + 1; i < shape.length; i++) {
            stride *= shape[i];
        }
        String rowBreak = sep.stripTrailing() + "\n".repeat(numpy ? shape.length - 1 - dim : 1) + " ".repeat(indent + dim);
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append(dim == shape.length - 1 ? sep : rowBreak);
            }
            if (cut[dim] && i == EDGE_ITEMS) { // the summarised middle of this axis
                sb.append("...").append(dim == shape.length - 1 ? sep : rowBreak);
            }
            if (dim == shape.length - 1) {
                sb.append(items.get(offset + i));
            } else {
                nest(sb, shape, cut, dim + 1, offset + i * stride, items, sep, indent, numpy);
            }
        }
        sb.append(']');
    }

    /**
     * One row (the last axis) as NumPy's {@code _formatArray} lays it out: elements separated by
     * a space, wrapped before an element that would pass the line width (75, less one per
     * enclosing bracket and one for the closing one), continuation lines indented under the
     * first element.
     */
    private static String numpyRow(List<String> all, int offset, int n, int rank, boolean cut) {
        List<String> items = new ArrayList<>(all.subList(offset, offset + n));
        if (cut) {
            items.add(EDGE_ITEMS, "...");
        }
        String hang = " ".repeat(rank);
        int width = NUMPY_LINE_WIDTH - rank;
        StringBuilder out = new StringBuilder();
        StringBuilder line = new StringBuilder(hang);
        n = items.size();
        for (int i = 0; i < n; i++) {
            String word = items.get(i);
            if (line.length() + word.length() > width && line.length() > hang.length()) {
                out.append(line.toString().stripTrailing()).append('\n');
                line = new StringBuilder(hang);
            }
            line.append(word);
            if (i + 1 < n) {
                line.append(' ');
            }
        }
        out.append(line);
        return "[" + out.substring(rank) + "]";
    }
}
