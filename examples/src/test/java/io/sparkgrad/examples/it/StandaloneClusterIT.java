package io.sparkgrad.examples.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The documented cluster recipe, as a user runs it: {@code scripts/standalone-cluster.sh start}
 * (a Master and a Worker JVM on 127.0.0.1), then {@code ./spark-submit.sh --master spark://...}
 * (the driver JVM, with executor JVMs started by the Worker), then {@code stop}.
 */
class StandaloneClusterIT {

    @Test
    void theDefaultJobRunsOnALoopbackStandaloneCluster(@TempDir Path tmp) throws Exception {
        String port = "17077";
        String[] env = {"env", "SPARKGRAD_MASTER_PORT=" + port, "SPARKGRAD_CLUSTER_DIR=" + tmp.resolve("cluster")};
        ItSupport.Run up = ItSupport.run(tmp, 120, concat(env, "scripts/standalone-cluster.sh", "start"));
        try {
            assertEquals(0, up.exit(), up.stderr());
            assertEquals("spark://127.0.0.1:" + port, up.stdout().strip());
            ItSupport.Run job = ItSupport.run(tmp, 300, "./spark-submit.sh", "--master", "spark://127.0.0.1:" + port,
                    "--epochs", "15", "--output", tmp.resolve("out").toString());
            assertEquals(0, job.exit(), ItSupport.tail(job.stderr()));
            assertTrue(job.stdout().contains("master spark://127.0.0.1:" + port), job.stdout());
            String last = job.stdout().lines().filter(l -> l.startsWith("trained on")).findFirst().orElseThrow();
            double acc = Double.parseDouble(last.replaceAll(".*test accuracy ([0-9.]+) on.*", "$1"));
            assertTrue(acc >= 0.95, last);
        } finally {
            ItSupport.run(tmp, 60, concat(env, "scripts/standalone-cluster.sh", "stop"));
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
