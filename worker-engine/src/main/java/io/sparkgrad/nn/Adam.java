package io.sparkgrad.nn;

import io.sparkgrad.ParameterTuple;

/**
 * Adam (Kingma and Ba 2015, "Adam: A Method for Stochastic Optimization"), and with
 * {@code decoupled} AdamW (Loshchilov and Hutter 2019, "Decoupled Weight Decay Regularization"):
 * <pre>
 *   Adam:  g = grad + weightDecay * p                 AdamW: p = p - lr * weightDecay * p; g = grad
 *   m = beta1 m + (1 - beta1) g
 *   v = beta2 v + (1 - beta2) g^2
 *   p = p - lr * (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + eps)
 * </pre>
 */
public class Adam extends Optimizer {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final boolean decoupled;

    Adam(Builder b, boolean decoupled) {
        super(b.params, b.lr);
        if (!(b.beta1 >= 0 && b.beta1 < 1 && b.beta2 >= 0 && b.beta2 < 1 && b.eps > 0 && b.weightDecay >= 0)) {
            throw new IllegalArgumentException((decoupled ? "AdamW" : "Adam") + ": need 0 <= beta1, beta2 < 1, eps > 0,"
                    + " weightDecay >= 0; got beta1=" + b.beta1 + " beta2=" + b.beta2 + " eps=" + b.eps
                    + " weightDecay=" + b.weightDecay);
        }
        this.beta1 = b.beta1;
        this.beta2 = b.beta2;
        this.eps = b.eps;
        this.weightDecay = b.weightDecay;
        this.decoupled = decoupled;
    }

    public Adam(ParameterTuple params, double lr) {
        this(builder(params, lr), false);
    }

    public static Builder builder(ParameterTuple params, double lr) {
        return new Builder(params, lr, 0, false);
    }

    /** Configuration for {@link Adam} and {@link AdamW}. */
    public static final class Builder {
        private final ParameterTuple params;
        private final double lr;
        private double beta1 = 0.9;
        private double beta2 = 0.999;
        private double eps = 1e-8;
        private double weightDecay;
        private final boolean decoupled;

        Builder(ParameterTuple params, double lr, double weightDecay, boolean decoupled) {
            this.params = params;
            this.lr = lr;
            this.weightDecay = weightDecay;
            this.decoupled = decoupled;
        }

        public Builder beta1(double v) {
            beta1 = v;
            return this;
        }

        public Builder beta2(double v) {
            beta2 = v;
            return this;
        }

        public Builder eps(double v) {
            eps = v;
            return this;
        }

        public Builder weightDecay(double v) {
            weightDecay = v;
            return this;
        }

        /** An {@link AdamW} when the builder came from {@code AdamW.builder}, else an {@link Adam}. */
        public Adam build() {
            return decoupled ? new AdamW(this) : new Adam(this, false);
        }
    }

    @Override
    public String kind() {
        return decoupled ? "adamw" : "adam";
    }

    @Override
    protected void update(int i, double[] p, double[] g, long t, double lr) {
        double[] m = slot("m", i, p.length);
        double[] v = slot("v", i, p.length);
        double c1 = 1 - Math.pow(beta1, t);
        double c2 = 1 - Math.pow(beta2, t);
        for (int j = 0; j < p.length; j++) {
            double gj = g[j];
            if (decoupled) {
                p[j] -= lr * weightDecay * p[j];
            } else {
                gj += weightDecay * p[j];
            }
            m[j] = beta1 * m[j] + (1 - beta1) * gj;
            v[j] = beta2 * v[j] + (1 - beta2) * gj * gj;
            p[j] -= lr * (m[j] / c1) / (Math.sqrt(v[j] / c2) + eps);
        }
    }
}
