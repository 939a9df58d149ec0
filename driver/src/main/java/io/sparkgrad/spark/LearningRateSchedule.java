package io.sparkgrad.spark;

/**
 * The learning rate of step {@code t} (1-based) of {@code total}, from the optimizer's base rate.
 */
@FunctionalInterface
public interface LearningRateSchedule {
    double at(long t, long total, double base);

    /** The base rate throughout. */
    static LearningRateSchedule constant() {
        return (t, total, base) -> base;
    }

    /** Multiplies by {@code gamma} every {@code every} steps. */
    static LearningRateSchedule stepDecay(long every, double gamma) {
        return (t, total, base) -> base * Math.pow(gamma, (t - 1) / every);
    }

    /**
     * Linear warm-up over {@code warmup} steps, then cosine decay to 0 at the last step
     * (Loshchilov and Hutter 2017, "SGDR", without restarts).
     */
    static LearningRateSchedule warmupCosine(long warmup) {
        return (t, total, base) -> {
            if (t <= warmup) {
                return base * t / Math.max(1, warmup);
            }
            double p = (double) (t - warmup) / Math.max(1, total - warmup);
            return base * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, p)));
        };
    }

    /** Parses {@code constant}, {@code step:EVERY:GAMMA} or {@code cosine:WARMUP}. */
    static LearningRateSchedule parse(String s) {
        String[] p = s.trim().split(":");
        try {
            switch (p[0]) {
                case "constant":
                    return constant();
                case "step":
                    return stepDecay(Long.parseLong(p[1]), Double.parseDouble(p[2]));
                case "cosine":
                    return warmupCosine(p.length > 1 ? Long.parseLong(p[1]) : 0);
                default:
                    break;
            }
        } catch (RuntimeException e) {
            // fall through to the message below
        }
        throw new IllegalArgumentException("learning-rate schedule '" + s
                + "': expected constant, step:EVERY:GAMMA or cosine[:WARMUP]");
    }
}
