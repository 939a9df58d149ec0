package io.sparkgrad.nn;

import io.sparkgrad.Tensor;
import io.sparkgrad.ops.Ops;

/**
 * Inverted dropout (Srivastava et al. 2014): in training mode each element is zeroed with
 * probability {@code p} and the survivors scaled by {@code 1/(1-p)}; in eval mode the identity.
 * Masks are seeded: call {@code n} of a Dropout built with seed {@code s} uses the mask stream
 * {@code (s, n)}, so a run is reproducible; {@link #reseed} sets both, e.g. per step and partition.
 */
public final class Dropout extends Cell {
    private final double p;
    private long seed;
    private long calls;

    public Dropout(double p, long seed) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("Dropout: p must be in [0, 1), got " + p);
        }
        this.p = p;
        this.seed = seed;
    }

    /** Restarts the mask stream at {@code (seed, 0)}. */
    public void reseed(long seed) {
        this.seed = seed;
        this.calls = 0;
    }

    @Override
    public Tensor construct(Tensor... inputs) {
        Tensor x = inputs[0];
        if (!isTraining() || p == 0) {
            return x;
        }
        long s = seed * 0x9E3779B97F4A7C15L + (calls++);
        Tensor u = Tensor.uniform(s, 0, 1, x.dtype(), x.shape());
        Tensor keep = Ops.cast(Ops.ge(u, p), x.dtype());
        return Ops.mul(x, Ops.mul(keep, 1 / (1 - p)));
    }
}
