package io.sparkgrad.nn;

import io.sparkgrad.ParameterTuple;

/**
 * Stochastic gradient descent with momentum, Nesterov momentum (Sutskever et al. 2013) and L2
 * weight decay, with PyTorch's and MindSpore's update:
 * <pre>
 *   g = grad + weightDecay * p
 *   buf = step == 1 ? g : momentum * buf + (1 - dampening) * g
 *   d = nesterov ? g + momentum * buf : buf        (d = g without momentum)
 *   p = p - lr * d
 * </pre>
 */
public final class SGD extends Optimizer {
    private final double momentum;
    private final double dampening;
    private final boolean nesterov;
    private final double weightDecay;

    private SGD(Builder b) {
        super(b.params, b.lr);
        if (b.momentum < 0 || b.weightDecay < 0) {
            throw new IllegalArgumentException("SGD: momentum and weight decay must be >= 0");
        }
        if (b.nesterov && (b.momentum <= 0 || b.dampening != 0)) {
            throw new IllegalArgumentException("SGD: Nesterov momentum needs momentum > 0 and dampening 0");
        }
        this.momentum = b.momentum;
        this.dampening = b.dampening;
        this.nesterov = b.nesterov;
        this.weightDecay = b.weightDecay;
    }

    public SGD(ParameterTuple params, double lr) {
        this(builder(params, lr));
    }

    public static Builder builder(ParameterTuple params, double lr) {
        return new Builder(params, lr);
    }

    /** Configuration for {@link SGD}. */
    public static final class Builder {
        private final ParameterTuple params;
        private final double lr;
        private double momentum;
        private double dampening;
        private boolean nesterov;
        private double weightDecay;

        private Builder(ParameterTuple params, double lr) {
            this.params = params;
            this.lr = lr;
        }

        public Builder momentum(double v) {
            momentum = v;
            return this;
        }

        public Builder dampening(double v) {
            dampening = v;
            return this;
        }

        public Builder nesterov(boolean v) {
            nesterov = v;
            return this;
        }

        public Builder weightDecay(double v) {
            weightDecay = v;
            return this;
        }

        public SGD build() {
            return new SGD(this);
        }
    }

    @Override
    public String kind() {
        return "sgd";
    }

    @Override
    protected void update(int i, double[] p, double[] g, long t, double lr) {
        boolean first = !hasSlot("momentum", i);
        double[] buf = momentum != 0 ? slot("momentum", i, p.length) : null;
        for (int j = 0; j < p.length; j++) {
            double gj = g[j] + weightDecay * p[j];
            if (buf != null) {
                buf[j] = first ? gj : momentum * buf[j] + (1 - dampening) * gj;
                gj = nesterov ? gj + momentum * buf[j] : buf[j];
            }
            p[j] -= lr * gj;
        }
    }
}
