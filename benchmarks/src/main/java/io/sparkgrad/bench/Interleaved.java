package io.sparkgrad.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.openjdk.jmh.infra.Blackhole;

/**
 * An A/B harness for a noisy shared machine: runs several variants in one JVM, round-robin, each
 * for a short block per round, so a load spike from another process hits all of them rather than
 * whichever JMH happened to be running. Prints, per variant, the median and range over rounds.
 * JMH's separate forks, minutes apart, cannot compare variants this closely here.
 *
 * <pre>java [-Dn=512] -cp benchmarks/target/benchmarks.jar io.sparkgrad.bench.Interleaved [rounds] [blockMillis]</pre>
 * ({@code -Dn} is the sgemm size.)
 *
 * Runs under {@code -Dsparkgrad.blas=openblas} with 1 OpenBLAS thread (set here, before first use).
 */
public final class Interleaved {
    private Interleaved() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        long blockNanos = (args.length > 1 ? Long.parseLong(args[1]) : 400) * 1_000_000L;
        System.setProperty("sparkgrad.blas", "openblas");
        Blackhole bh = new Blackhole("Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");

        MlpStepBench mlp = new MlpStepBench();
        mlp.backend = "openblas-1t";
        mlp.setup();
        Map<String, Variant> vs = new LinkedHashMap<>();
        vs.put("mlp step (samples/s)", new Variant(256, () -> mlp.step()));
        vs.put("mlp stepPlainMaskRelu (samples/s)", new Variant(256, () -> mlp.stepPlainMaskRelu()));
        vs.put("mlp forward (samples/s)", new Variant(256, () -> mlp.forward()));
        vs.put("mlp gemmsOnly (samples/s)", new Variant(256, () -> {
            mlp.gemmsOnly(bh);
            return null;
        }));
        int n = Integer.getInteger("n", 512);
        for (String backend : new String[] {"openblas-1t", "openblas-1t-offheap", "java"}) {
            MatmulBench mm = new MatmulBench();
            mm.n = n;
            mm.backend = backend;
            mm.setup();
            double flops = 2.0 * n * n * n / 1e9;
            vs.put("sgemm " + n + " " + backend + " (GFLOP/s)", new Variant(flops, mm::sgemm));
        }
        System.out.println("rounds " + rounds + " x " + blockNanos / 1_000_000 + " ms per variant; first 3 rounds are warm-up");
        for (int r = 0; r < rounds + 3; r++) {
            for (Variant v : vs.values()) {
                double rate = v.block(blockNanos, bh);
                if (r >= 3) {
                    v.rates.add(rate);
                }
            }
        }
        System.out.println("variant,median,min,max,rounds");
        for (Map.Entry<String, Variant> e : vs.entrySet()) {
            double[] x = e.getValue().rates.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            double med = x.length % 2 == 1 ? x[x.length / 2] : (x[x.length / 2 - 1] + x[x.length / 2]) / 2;
            System.out.printf("%s,%.1f,%.1f,%.1f,%d%n", e.getKey(), med, x[0], x[x.length - 1], x.length);
        }
        System.out.println("per-round rates: " + vs.entrySet().stream().map(e -> e.getKey() + "=" + Arrays.toString(
                e.getValue().rates.stream().mapToLong(Math::round).toArray())).toList());
    }

    private static final class Variant {
        final double unitsPerCall;
        final Supplier<Object> call;
        final List<Double> rates = new ArrayList<>();

        Variant(double unitsPerCall, Supplier<Object> call) {
            this.unitsPerCall = unitsPerCall;
            this.call = call;
        }

        /** Calls repeatedly for about {@code nanos}; returns units per second. */
        double block(long nanos, Blackhole bh) {
            long t0 = System.nanoTime();
            long t;
            int calls = 0;
            do {
                bh.consume(call.get());
                calls++;
                t = System.nanoTime();
            } while (t - t0 < nanos);
            return calls * unitsPerCall / ((t - t0) * 1e-9);
        }
    }
}
