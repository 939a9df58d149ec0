package io.sparkgrad.nn;

import io.sparkgrad.ParameterTuple;

/** Adam with decoupled weight decay (Loshchilov and Hutter 2019); default weight decay 0.01. See {@link Adam}. */
public final class AdamW extends Adam {
    AdamW(Builder b) {
        super(b, true);
    }

    public AdamW(ParameterTuple params, double lr) {
        super(builder(params, lr), true);
    }

    public static Builder builder(ParameterTuple params, double lr) {
        return new Builder(params, lr, 0.01, true);
    }
}
