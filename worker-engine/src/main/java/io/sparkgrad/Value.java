package io.sparkgrad;

/**
 * What a differentiable function returns and what a gradient call returns: a {@link Tensor} or a
 * {@link Tuple} of values, mirroring MindSpore's Tensor-or-tuple results.
 */
public sealed interface Value permits Tensor, Tuple {

    /** This value as a Tensor; throws if it is a tuple. */
    Tensor tensor();

    /** Element {@code i} of a tuple; throws if this is a Tensor. */
    Value get(int i);

    /** The number of elements of a tuple; 1 for a Tensor. */
    int arity();

    /** True for a Tuple. */
    default boolean isTuple() {
        return this instanceof Tuple;
    }
}
