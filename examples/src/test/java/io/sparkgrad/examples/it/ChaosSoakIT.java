package io.sparkgrad.examples.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.spark.checkpoint.CheckpointStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A chaos soak: a driver JVM ({@link ChaosDriver}) trains on {@code local-cluster[2,1,1024]} (two
 * executor JVMs) for some hundreds of small steps while this test SIGKILLs an executor JVM several
 * times, at seeded random moments (a seeded step, then a seeded delay of up to 60 ms into the next
 * one, a seeded one of the two executors), and SIGKILLs the driver JVM once (with its executors),
 * at a seeded step; a new driver resumes from the last checkpoint, and more executor kills hit it.
 * Spark re-runs the lost tasks, the Master starts replacement executors, and the final parameters
 * equal those of an undisturbed one-JVM run, bit for bit.
 *
 * <p>Bounded for CI: 10 epochs of 20 steps (200 steps), 4 executor kills, one driver kill. A longer
 * soak sets system properties, passed through by failsafe:
 * <pre>
 * mvn -o -pl examples -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false \
 *     -Dit.test=ChaosSoakIT -Dsparkgrad.soak.epochs=100 -Dsparkgrad.soak.kills=40 -Dsparkgrad.soak.seed=7
 * </pre>
 * ({@code sparkgrad.soak.epochs}: epochs of 20 steps; {@code sparkgrad.soak.kills}: executor kills;
 * {@code sparkgrad.soak.seed}: the seed of the moments; {@code sparkgrad.soak.timeout}: seconds each
 * driver JVM may take, 300.) Loopback only.
 */
class ChaosSoakIT {
    private static final int STEPS_PER_EPOCH = 600 / ChaosDriver.BATCH;
    /** The bound on each driver JVM's run ({@code sparkgrad.soak.timeout}, seconds). */
    private static final int TIMEOUT_SECONDS = Integer.getInteger("sparkgrad.soak.timeout", 300);

    /** Executor kills still to do, in step order: after step {@code step}, wait {@code delayMs}, kill {@code victim}. */
    private record Kill(long step, int delayMs, int victim) {
    }

    @Test
    void executorAndDriverKillsLeaveTheFinalParametersBitForBit(@TempDir Path tmp) throws Exception {
        long seed = Long.getLong("sparkgrad.soak.seed", 1);
        int epochs = Integer.getInteger("sparkgrad.soak.epochs", 10);
        int kills = Integer.getInteger("sparkgrad.soak.kills", 4);
        long total = (long) epochs * STEPS_PER_EPOCH;
        SplittableRandom r = new SplittableRandom(seed);
        long driverKillAt = r.nextLong(total / 3, 2 * total / 3);
        int driverDelayMs = r.nextInt(60);
        List<Kill> plan = new ArrayList<>();
        for (int i = 0; i < kills; i++) {
            plan.add(new Kill(r.nextLong(5, total - 5), r.nextInt(60), r.nextInt(2)));
        }
        plan.sort(Comparator.comparingLong(Kill::step));

        float[] undisturbed;
        SparkSession spark = ChaosDriver.session("local[2]");
        try {
            undisturbed = ChaosDriver.train(spark, ChaosDriver.trainer(epochs));
        } finally {
            spark.stop();
        }

        Path ckpt = tmp.resolve("ckpt");
        List<Long> killed = new ArrayList<>();
        Process first = driver(tmp, ckpt, epochs, "fresh", 1);
        long reached = follow(first, plan, killed, driverKillAt, driverDelayMs);
        assertTrue(reached >= driverKillAt && reached < total, "the first driver was killed at step " + reached);
        CheckpointStore store = new CheckpointStore(ckpt.toUri().toString());
        List<Long> left = store.steps();
        assertTrue(!left.isEmpty() && left.get(left.size() - 1) < total, "checkpoints of the killed run: " + left);

        Process second = driver(tmp, ckpt, epochs, "resume", 2);
        long last = follow(second, plan, killed, Long.MAX_VALUE, 0);
        assertEquals(0, second.waitFor(), "the resumed driver failed:\n" + stderr(tmp, 2));
        assertEquals(total, last);
        assertEquals(kills, killed.size(), "executor kills done (pids " + killed + ")");
        for (long pid : killed) {
            assertTrue(ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true), "executor " + pid + " is gone");
        }
        assertArrayEquals(undisturbed, store.read(total).values(),
                "the parameters after executor and driver kills differ from an undisturbed run");
    }

    /** Starts a {@link ChaosDriver} JVM with this JVM's classpath and module flags. */
    private static Process driver(Path tmp, Path ckpt, int epochs, String mode, int n) throws IOException {
        Path argFile = tmp.resolve("driver-" + n + ".args");
        List<String> jvm = new ArrayList<>(List.of("-Xmx512m", "-cp", System.getProperty("java.class.path")));
        for (String a : LocalClusterIT.addOpens().split(" ")) {
            if (!a.isBlank()) {
                jvm.add(a);
            }
        }
        for (String p : List.of("sparkgrad.appJar", "sparkgrad.classpathFile", "sparkgrad.sparkHome")) {
            jvm.add("-D" + p + "=" + System.getProperty(p));
        }
        Files.write(argFile, jvm.stream().map(ChaosSoakIT::quote).toList(), StandardCharsets.UTF_8);
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(java, "@" + argFile, ChaosDriver.class.getName(),
                "local-cluster[2,1,1024]", ckpt.toUri().toString(), Integer.toString(epochs), mode)
                .redirectError(tmp.resolve("driver-" + n + ".err").toFile());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        return pb.start();
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static String stderr(Path tmp, int n) throws IOException {
        return ItSupport.tail(Files.readString(tmp.resolve("driver-" + n + ".err")));
    }

    /**
     * Reads the driver's step lines, doing the planned executor kills as their steps pass; at
     * {@code killDriverAt} waits {@code delayMs} and SIGKILLs the driver and its executors. Returns
     * the last step printed. Bounded: after {@code sparkgrad.soak.timeout} seconds (300) everything
     * is killed and the test fails.
     */
    private static long follow(Process driver, List<Kill> plan, List<Long> killed, long killDriverAt, int delayMs)
            throws Exception {
        long t0 = System.nanoTime();
        java.util.concurrent.atomic.AtomicBoolean timedOut = new java.util.concurrent.atomic.AtomicBoolean();
        Thread watchdog = new Thread(() -> {
            try {
                if (!driver.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    timedOut.set(true);
                    killAll(driver);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        watchdog.setDaemon(true);
        watchdog.start();
        long step = 0;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(driver.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (!line.startsWith("step ")) {
                    continue;
                }
                step = Long.parseLong(line.substring(5).trim());
                while (!plan.isEmpty() && plan.get(0).step() <= step) {
                    List<ProcessHandle> ex = LocalClusterIT.executors(driver.toHandle());
                    if (ex.size() < 2) {
                        break; // a replacement is still starting: kill at a later step
                    }
                    Kill k = plan.remove(0);
                    Thread.sleep(k.delayMs());
                    ProcessHandle victim = ex.get(k.victim());
                    killed.add(victim.pid());
                    victim.destroyForcibly();
                    System.out.printf("chaos: SIGKILL executor %d after step %d + %d ms%n", victim.pid(), step,
                            k.delayMs());
                }
                if (step >= killDriverAt) {
                    Thread.sleep(delayMs);
                    killAll(driver);
                    System.out.printf("chaos: SIGKILL driver %d after step %d + %d ms%n", driver.pid(), step, delayMs);
                    break;
                }
            }
        } finally {
            if (timedOut.get()) {
                watchdog.join(TimeUnit.SECONDS.toMillis(90));
            } else {
                watchdog.interrupt();
            }
        }
        System.out.printf("chaos: driver %d reached step %d in %.1f s%n", driver.pid(), step, (System.nanoTime() - t0) / 1e9);
        assertTrue(!timedOut.get(), "the driver did not finish in " + TIMEOUT_SECONDS + " s (killed at step " + step + ")");
        return step;
    }

    /** SIGKILLs the driver and every process it started (its executors), and waits for them. */
    private static void killAll(Process driver) {
        List<ProcessHandle> children = driver.descendants().toList();
        driver.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
        try {
            driver.waitFor(30, TimeUnit.SECONDS);
            for (ProcessHandle c : children) {
                c.onExit().get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new AssertionError("the killed driver's processes did not exit: " + Arrays.toString(
                    children.stream().mapToLong(ProcessHandle::pid).toArray()), e);
        }
    }
}
