package io.sparkgrad.nn;

import io.sparkgrad.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Cells applied in order; parameters are named {@code 0.weight}, {@code 1.bias}, ... as in MindSpore. */
public final class SequentialCell extends Cell {
    private final Cell[] cells;

    public SequentialCell(Cell... cells) {
        this.cells = cells.clone();
    }

    public SequentialCell(List<? extends Cell> cells) {
        this(cells.toArray(new Cell[0]));
    }

    /** The elements, named {@code 0}, {@code 1}, ... */
    @Override
    protected Map<String, Object> members() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < cells.length; i++) {
            out.put(Integer.toString(i), cells[i]);
        }
        return out;
    }

    @Override
    public Tensor construct(Tensor... inputs) {
        Tensor x = inputs[0];
        for (Cell c : cells) {
            x = c.apply(x);
        }
        return x;
    }

    public int size() {
        return cells.length;
    }

    public Cell get(int i) {
        return cells[i];
    }
}
