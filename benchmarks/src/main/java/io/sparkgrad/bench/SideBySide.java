package io.sparkgrad.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoubleSupplier;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The side-by-side harness of the Spark benchmarks ({@link MllibSideBySide}, {@link ClusterScaling},
 * {@link DriverHeap}, {@link ParquetLoad}): {@code key=value} arguments, the environment line
 * printed beside each figure, and alternating timed rounds of ours against a peer.
 */
final class SideBySide {
    private SideBySide() {
    }

    private static final Map<String, String> ARGS = new LinkedHashMap<>();

    static int arg(String key, int def) {
        String v = ARGS.getOrDefault(key, System.getProperty("bench." + key));
        return v == null ? def : Integer.parseInt(v);
    }

    static String arg(String key, String def) {
        return ARGS.getOrDefault(key, System.getProperty("bench." + key, def));
    }

    /** Reads {@code key=value} arguments into {@link #arg}'s table; exits 2 naming a malformed one. */
    static void parseArgs(String[] args) {
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq < 1) {
                System.err.println("error: argument '" + a + "' is not key=value");
                System.exit(2);
            }
            ARGS.put(a.substring(0, eq), a.substring(eq + 1));
        }
    }

    /** CPU model, cores, load average and the OPENBLAS_* variables as the environment sets them. */
    static void printEnvironment(JavaSparkContext sc) throws Exception {
        String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown");
        String load = Files.readString(Path.of("/proc/loadavg")).trim();
        System.out.println("ENV,cpu=" + cpu + ",cores=" + Runtime.getRuntime().availableProcessors()
                + ",loadavg=" + load + ",OPENBLAS_CORETYPE=" + env("OPENBLAS_CORETYPE") + ",OPENBLAS_L2_SIZE="
                + env("OPENBLAS_L2_SIZE") + ",OPENBLAS_NUM_THREADS=" + env("OPENBLAS_NUM_THREADS") + ",master="
                + sc.master() + ",maxHeapMB=" + Runtime.getRuntime().maxMemory() / (1 << 20));
    }

    static String env(String k) {
        String v = System.getenv(k);
        return v == null ? "unset" : v;
    }

    /** {@link #alternate(String, int, int, int, DoubleSupplier, DoubleSupplier)} with a warm-up round of {@code calls} calls. */
    static void alternate(String name, int rounds, int calls, DoubleSupplier ours, DoubleSupplier theirs) {
        alternate(name, rounds, calls, calls, ours, theirs);
    }

    /**
     * One untimed warm-up round of {@code warmup} calls of each side, then {@code rounds} rounds
     * alternating ours and MLlib (who goes first alternates too); a round times {@code calls} calls
     * of each. Prints the median, lowest and highest per-round ratio.
     */
    static void alternate(String name, int rounds, int warmup, int calls, DoubleSupplier ours, DoubleSupplier theirs) {
        List<Double> ratios = new ArrayList<>();
        List<Double> oursMs = new ArrayList<>();
        List<Double> theirsMs = new ArrayList<>();
        for (int r = -1; r < rounds; r++) {
            int n = r < 0 ? warmup : calls;
            double a;
            double b;
            if ((r & 1) == 0) {
                a = time(ours, n);
                b = time(theirs, n);
            } else {
                b = time(theirs, n);
                a = time(ours, n);
            }
            if (r >= 0) {
                ratios.add(a / b);
                oursMs.add(a);
                theirsMs.add(b);
            }
        }
        System.out.printf(Locale.ROOT, "RATIO,%s,%.3f,%.3f,%.3f,%d,ours_ms=%.1f,mllib_ms=%.1f%n", name, median(ratios),
                ratios.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN),
                ratios.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN), ratios.size(),
                median(oursMs), median(theirsMs));
    }

    /** Milliseconds per call over {@code calls} calls. */
    static double time(DoubleSupplier f, int calls) {
        double sink = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            sink += f.getAsDouble();
        }
        double ms = (System.nanoTime() - t0) / 1e6 / calls;
        if (Double.isNaN(sink)) {
            System.out.println("note: a call returned NaN");
        }
        return ms;
    }

    static double median(List<Double> v) {
        double[] x = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return x.length == 0 ? Double.NaN : x.length % 2 == 1 ? x[x.length / 2] : (x[x.length / 2 - 1] + x[x.length / 2]) / 2;
    }
}
