package io.sparkgrad.spark.fuzz;

/**
 * How much to fuzz: {@code -Dsparkgrad.fuzz.iterations=N} inputs per target (default
 * {@link #DEFAULT_ITERATIONS}, a few seconds in {@code mvn verify}) from
 * {@code -Dsparkgrad.fuzz.seed=S} (default 1). A failure names the seed and the iteration, so
 * {@code -Dsparkgrad.fuzz.seed=S -Dsparkgrad.fuzz.iterations=I+1} replays it. The longer run is a
 * documented command (docs/TESTING.md).
 */
public final class FuzzBudget {
    /** Inputs per target in {@code mvn verify}. */
    public static final int DEFAULT_ITERATIONS = 20_000;

    private FuzzBudget() {
    }

    public static int iterations() {
        return Integer.getInteger("sparkgrad.fuzz.iterations", DEFAULT_ITERATIONS);
    }

    /**
     * How long a target may run before it counts as a hang: 5 minutes plus 1 ms per iteration
     * (a bound against a hang, not a speed check).
     */
    public static java.time.Duration hangGuard() {
        return java.time.Duration.ofMinutes(5).plusMillis(iterations());
    }

    public static long seed() {
        return Long.getLong("sparkgrad.fuzz.seed", 1L);
    }
}
