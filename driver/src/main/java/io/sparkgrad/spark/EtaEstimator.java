package io.sparkgrad.spark;

/**
 * The time left of a run, from the durations of its steps so far. The first {@code warmup} steps
 * (Spark's first jobs, class loading, the JIT) are slower than the rest, and a plain mean over all
 * steps carries them into every later estimate (about 2x high early on). So they are left out, and
 * later step times are smoothed with an exponential moving average:
 * <pre>
 *   s_1 = d_1,   s_k = alpha * d_k + (1 - alpha) * s_(k-1)        (d: durations after warm-up)
 *   eta = s * remaining steps
 * </pre>
 * Until a step after the warm-up is seen, the mean of the warm-up steps is used. A duration is
 * the wall time from one step's end to the next one's, so the validation and checkpoint work
 * between steps is part of it. Not thread-safe; one per run.
 */
public final class EtaEstimator {
    /** Steps left out by default. */
    public static final int DEFAULT_WARMUP = 2;
    /** The default smoothing weight of the newest step. */
    public static final double DEFAULT_ALPHA = 0.1;

    private final int warmup;
    private final double alpha;
    private long seen;
    private double warmupSum;
    private double smoothed = Double.NaN;

    public EtaEstimator(int warmup, double alpha) {
        if (warmup < 0 || !(alpha > 0 && alpha <= 1)) {
            throw new IllegalArgumentException("EtaEstimator: warm-up " + warmup + " must be >= 0 and alpha " + alpha
                    + " in (0, 1]");
        }
        this.warmup = warmup;
        this.alpha = alpha;
    }

    /** With {@link #DEFAULT_WARMUP} and {@link #DEFAULT_ALPHA}. */
    public static EtaEstimator standard() {
        return new EtaEstimator(DEFAULT_WARMUP, DEFAULT_ALPHA);
    }

    /** Records one step that took {@code seconds}. */
    public void observe(double seconds) {
        seen++;
        if (seen <= warmup) {
            warmupSum += seconds;
        } else {
            smoothed = Double.isNaN(smoothed) ? seconds : alpha * seconds + (1 - alpha) * smoothed;
        }
    }

    /** The estimated seconds per step; NaN before any step. */
    public double secondsPerStep() {
        if (!Double.isNaN(smoothed)) {
            return smoothed;
        }
        return seen == 0 ? Double.NaN : warmupSum / seen;
    }

    /** The estimated seconds left for {@code remainingSteps} steps; NaN before any step. */
    public double eta(long remainingSteps) {
        return remainingSteps <= 0 ? 0 : secondsPerStep() * remainingSteps;
    }
}
