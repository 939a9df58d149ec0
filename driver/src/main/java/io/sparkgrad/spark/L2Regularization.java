package io.sparkgrad.spark;

import io.sparkgrad.ParameterTuple;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * An L2 penalty {@code lambda / 2 * sum_{p selected} ||p||^2} on some of the parameters, in the
 * manner of MLlib's {@code L2Regularization}: it works on the flat parameter vector (the layout of
 * {@link ParameterTuple#flatten()}) and adds its gradient {@code lambda * p} into a flat gradient.
 * Immutable; {@link #NONE} is the penalty of {@code lambda = 0}.
 */
public final class L2Regularization {
    /** No penalty: {@link #addTo} changes nothing and returns 0. */
    public static final L2Regularization NONE = new L2Regularization(0, new int[0]);

    private final double lambda;
    /** Offset and length in the flat buffer of each selected parameter, as pairs. */
    private final int[] ranges;

    private L2Regularization(double lambda, int[] ranges) {
        this.lambda = lambda;
        this.ranges = ranges;
    }

    /**
     * The penalty on the parameters of {@code params} whose hierarchical name satisfies
     * {@code paramName}; {@link #NONE} when {@code lambda} is 0.
     *
     * @throws IllegalArgumentException if {@code lambda} is negative or not finite, or if it is
     *         positive and no parameter is selected
     */
    public static L2Regularization select(ParameterTuple params, double lambda, Predicate<String> paramName) {
        if (!(lambda >= 0 && Double.isFinite(lambda))) {
            throw new IllegalArgumentException("l2 lambda must be finite and >= 0, got " + lambda);
        }
        if (lambda == 0) {
            return NONE;
        }
        List<String> names = params.names();
        List<Integer> out = new ArrayList<>();
        int off = 0;
        for (int i = 0; i < params.size(); i++) {
            int n = params.get(i).size();
            if (paramName.test(names.get(i))) {
                out.add(off);
                out.add(n);
            }
            off += n;
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("l2: no trainable parameter name is selected; the names are " + names);
        }
        return new L2Regularization(lambda, out.stream().mapToInt(Integer::intValue).toArray());
    }

    public double lambda() {
        return lambda;
    }

    /**
     * Adds {@code lambda * p} to {@code grad} over the selected parameters of the flat parameter
     * vector {@code p} (each sum rounded to float), and returns the penalty
     * {@code lambda / 2 * sum_{selected} p_j^2} (in double).
     */
    public double addTo(float[] grad, float[] p) {
        double squares = 0;
        for (int r = 0; r < ranges.length; r += 2) {
            for (int j = ranges[r], end = ranges[r] + ranges[r + 1]; j < end; j++) {
                grad[j] = (float) (grad[j] + lambda * p[j]);
                squares += (double) p[j] * p[j];
            }
        }
        return lambda / 2 * squares;
    }
}
