package io.sparkgrad.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The BLAS each JVM selects computes the same GEMM as {@link JavaBlas} (within float rounding),
 * and on Linux with no thread variable set, {@code auto} binds netlib's JNIBLAS to the bundled
 * OpenBLAS: one OpenBLAS mapped, the thread count of {@code -Dsparkgrad.blas.threads}.
 */
class BlasSelectionTest {

    /**
     * The largest |backend - JavaBlas| relative to the result's magnitude over sgemm and dgemm
     * products with every transpose pair and non-zero offsets, for a matrix product and for the
     * shapes a backend may route to GEMV (one output column, one output row, both); every
     * size is above {@link Blas#SMALL_FLOPS}.
     */
    static double maxDiffAgainstJava(Blas blas) {
        double worst = 0;
        for (int[] mnk : new int[][] {{37, 45, 53}, {37, 1, 1031}, {1, 45, 1031}, {1, 1, 2000}}) {
            worst = Math.max(worst, maxDiffAgainstJava(blas, mnk[0], mnk[1], mnk[2]));
        }
        return worst;
    }

    private static double maxDiffAgainstJava(Blas blas, int m, int n, int k) {
        int off = 3;
        SplittableRandom r = new SplittableRandom(11);
        float[] a = new float[off + m * k];
        float[] b = new float[off + k * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (r.nextDouble() * 2 - 1);
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) (r.nextDouble() * 2 - 1);
        }
        double[] ad = new double[a.length];
        double[] bd = new double[b.length];
        for (int i = 0; i < a.length; i++) {
            ad[i] = a[i];
        }
        for (int i = 0; i < b.length; i++) {
            bd[i] = b[i];
        }
        double worst = 0;
        for (int t = 0; t < 4; t++) {
            boolean ta = (t & 1) != 0;
            boolean tb = (t & 2) != 0;
            float[] c = new float[off + m * n];
            float[] want = new float[off + m * n];
            blas.sgemm(ta, tb, m, n, k, a, off, b, off, c, off);
            JavaBlas.INSTANCE.sgemm(ta, tb, m, n, k, a, off, b, off, want, off);
            double[] cd = new double[off + m * n];
            double[] wantd = new double[off + m * n];
            blas.dgemm(ta, tb, m, n, k, ad, off, bd, off, cd, off);
            JavaBlas.INSTANCE.dgemm(ta, tb, m, n, k, ad, off, bd, off, wantd, off);
            for (int i = 0; i < off; i++) {
                worst = Math.max(worst, Math.abs(c[i]) + Math.abs(cd[i])); // nothing written before the offset
            }
            for (int i = off; i < c.length; i++) {
                worst = Math.max(worst, Math.abs(c[i] - want[i]) / Math.max(1, Math.abs(want[i])));
                worst = Math.max(worst, 1e6 * Math.abs(cd[i] - wantd[i]) / Math.max(1, Math.abs(wantd[i])));
            }
        }
        return worst;
    }

    @Test
    void theSelectedBlasAgreesWithJava() {
        assertTrue(maxDiffAgainstJava(Blas.get()) < 1e-5, Blas.get().name());
    }

    /** Runs {@link BundledBlasProbe} in a fresh JVM with no BLAS thread variable, returns its key=value lines. */
    private static Map<String, String> probe(String... props) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.addAll(List.of(props));
        cmd.add(BundledBlasProbe.class.getName());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        for (String v : new String[] {"OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"}) {
            pb.environment().remove(v);
        }
        Process p = pb.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), text);
        Map<String, String> kv = new HashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0 && !line.contains(" ")) {
                kv.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        kv.put("output", text);
        return kv;
    }

    @Test
    void autoBindsNetlibToTheBundledOpenBlasWithItsThreads() throws Exception {
        Assumptions.assumeTrue(Files.isReadable(Paths.get("/proc/self/maps")), "Linux only");
        Map<String, String> kv = probe("-Dsparkgrad.blas.threads=2");
        String out = kv.get("output");
        assertEquals("netlib-bundled-openblas", kv.get("name"), out);
        String mapped = kv.get("mapped");
        assertTrue(mapped.contains("bytedeco") && !mapped.contains(","), "one BLAS mapped, the bundled one: " + out);
        assertEquals("2", kv.get("threads"), out);
        assertTrue(Double.parseDouble(kv.get("maxdiff")) < 1e-5, out);
    }

    @Test
    void aBindingMadeElsewhereIsSharedNotDoubled() throws Exception {
        String system = "/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3";
        Assumptions.assumeTrue(Files.isReadable(Paths.get(system)), "needs the machine's OpenBLAS");
        // JNIBLAS pointed at the machine's OpenBLAS (by the user, or MLlib first): loading the
        // bundled build beside it crashed the JVM in dgemm, so the engine shares that one
        Map<String, String> kv = probe("-Ddev.ludovic.netlib.blas.nativeLibPath=" + system);
        assertEquals("netlib-native", kv.get("name"), kv.get("output"));
        assertEquals("[" + system + "]", kv.get("mapped"), kv.get("output"));
        assertTrue(Double.parseDouble(kv.get("maxdiff")) < 1e-5, kv.get("output"));
    }
}
