package io.sparkgrad.examples.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.spark.checkpoint.Checkpoint;
import io.sparkgrad.spark.checkpoint.CheckpointStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The driver process is killed (SIGKILL) in the middle of training and started again with
 * {@code --resume}: it continues from its last checkpoint to the same final parameters, bit for
 * bit, as a run that was never interrupted.
 */
class DriverRecoveryIT {

    private static String[] job(Path ckpt, Path output, boolean resume) {
        List<String> args = new java.util.ArrayList<>(List.of("./spark-submit.sh", "--epochs", "4",
                "--checkpoint-dir", ckpt.toUri().toString(), "--checkpoint-every", "4",
                "--output", output.toString(), "--log-every", "1", "--validation-fraction", "0")); // the 80/20 split: 12 steps per epoch
        if (resume) {
            args.add("--resume");
        }
        return args.toArray(new String[0]);
    }

    @Test
    void aKilledDriverResumesToTheSameParameters(@TempDir Path tmp) throws Exception {
        ItSupport.Run clean = ItSupport.run(tmp, 300, job(tmp.resolve("ckpt-clean"), tmp.resolve("out-clean"), false));
        assertEquals(0, clean.exit(), ItSupport.tail(clean.stderr()));

        Path ckpt = tmp.resolve("ckpt");
        Path out = Files.createTempFile(tmp, "killed", ".txt");
        Process p = ItSupport.start(out, tmp.resolve("killed-err.txt"), job(ckpt, tmp.resolve("out-killed"), false));
        CheckpointStore store = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        while (System.nanoTime() < deadline && p.isAlive()) {
            if (Files.isDirectory(ckpt)) {
                store = store == null ? new CheckpointStore(ckpt.toUri().toString()) : store;
                List<Long> steps = store.steps();
                if (!steps.isEmpty() && steps.get(steps.size() - 1) >= 12) {
                    break;
                }
            }
            Thread.sleep(100);
        }
        assertTrue(p.isAlive(), "the job ended before it could be killed:\n" + Files.readString(out));
        p.destroyForcibly(); // spark-submit.sh execs java, so this is the driver JVM: SIGKILL, no clean-up
        p.waitFor(30, TimeUnit.SECONDS);
        List<Long> left = store.steps();
        long last = left.get(left.size() - 1);
        assertTrue(last >= 12 && last < 48, "checkpoints left by the killed driver: " + left);
        assertTrue(!Files.readString(out).contains("trained on"), "the killed run must not have finished");

        ItSupport.Run resumed = ItSupport.run(tmp, 300, job(ckpt, tmp.resolve("out-resumed"), true));
        assertEquals(0, resumed.exit(), ItSupport.tail(resumed.stderr()));
        String firstStep = resumed.stdout().lines().filter(l -> l.startsWith("step ")).findFirst().orElseThrow();
        assertTrue(firstStep.startsWith("step " + (last + 1) + "/48"), firstStep);

        Checkpoint a = new CheckpointStore(tmp.resolve("out-clean").resolve("model").toString()).latest().orElseThrow();
        Checkpoint b = new CheckpointStore(tmp.resolve("out-resumed").resolve("model").toString()).latest().orElseThrow();
        assertEquals(48, a.step());
        assertEquals(48, b.step());
        assertArrayEquals(a.values(), b.values());
        assertEquals(a.optimizerState().step(), b.optimizerState().step());
    }
}
