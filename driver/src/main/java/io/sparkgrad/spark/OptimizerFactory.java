package io.sparkgrad.spark;

import io.sparkgrad.ParameterTuple;
import io.sparkgrad.nn.Adam;
import io.sparkgrad.nn.AdamW;
import io.sparkgrad.nn.Optimizer;
import io.sparkgrad.nn.SGD;
import java.util.Locale;

/** Builds the optimizer over the driver's parameters; runs on the driver only. */
@FunctionalInterface
public interface OptimizerFactory {
    Optimizer create(ParameterTuple params);

    /**
     * The first-order optimizers by name, the one table the command line's {@code --optimizer}
     * and the estimator's {@code optimizer} param both read: {@code adam}, {@code adamw} or
     * {@code sgd}, in any case. {@code momentum} (SGD's) and {@code weightDecay} are applied when
     * not null; null keeps the builder's default (no momentum; weight decay 0, AdamW's 0.01).
     *
     * @throws IllegalArgumentException naming the unknown optimizer and the known ones
     */
    static OptimizerFactory named(String name, double lr, Double momentum, Double weightDecay) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "adam":
                return p -> withDecay(Adam.builder(p, lr), weightDecay).build();
            case "adamw":
                return p -> withDecay(AdamW.builder(p, lr), weightDecay).build();
            case "sgd":
                return p -> {
                    SGD.Builder b = SGD.builder(p, lr);
                    if (momentum != null) {
                        b.momentum(momentum);
                    }
                    if (weightDecay != null) {
                        b.weightDecay(weightDecay);
                    }
                    return b.build();
                };
            default:
                throw new IllegalArgumentException("unknown optimizer '" + name + "': expected adam, adamw or sgd");
        }
    }

    private static Adam.Builder withDecay(Adam.Builder b, Double weightDecay) {
        return weightDecay == null ? b : b.weightDecay(weightDecay);
    }
}
