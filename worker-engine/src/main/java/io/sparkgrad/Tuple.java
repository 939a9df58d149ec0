package io.sparkgrad;

import io.sparkgrad.format.MindSporeRepr;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * An immutable tuple of values. {@code toString()} is Python's tuple repr over each element's
 * repr: {@code (a, b)}, and {@code (a,)} for one element.
 */
public final class Tuple implements Value, Iterable<Value> {
    private final Value[] items;

    private Tuple(Value[] items) {
        this.items = items;
    }

    public static Tuple of(Value... items) {
        for (int i = 0; i < items.length; i++) {
            if (items[i] == null) {
                throw new IllegalArgumentException("Tuple.of: element " + i + " is null");
            }
        }
        return new Tuple(items.clone());
    }

    public static Tuple of(List<? extends Value> items) {
        return of(items.toArray(new Value[0]));
    }

    @Override
    public Tensor tensor() {
        throw new IllegalStateException("this value is a tuple of " + items.length
                + " elements, not a Tensor; use get(i)");
    }

    @Override
    public Value get(int i) {
        if (i < 0 || i >= items.length) {
            throw new IndexOutOfBoundsException("tuple index " + i + " out of range for a tuple of " + items.length);
        }
        return items[i];
    }

    /** Element {@code i}, which must be a Tensor. */
    public Tensor tensor(int i) {
        return get(i).tensor();
    }

    @Override
    public int arity() {
        return items.length;
    }

    public List<Value> asList() {
        return List.of(items);
    }

    @Override
    public Iterator<Value> iterator() {
        return Arrays.asList(items).iterator();
    }

    /** Python's tuple repr over each element's MindSpore repr: {@code (a, b)}, {@code (a,)}. */
    @Override
    public String toString() {
        return MindSporeRepr.MINDSPORE.repr(this);
    }
}
