package io.sparkgrad.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.spark.checkpoint.CheckpointStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The CLI's checkpoint options: {@code --keep-checkpoints}, and the errors of a checkpoint directory. */
class TrainCheckpointsTest {
    /** Runs the CLI; returns its stderr. */
    private static String run(int expectedExit, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldErr = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int rc;
        try {
            rc = Train.run(new PrintStream(out, true, StandardCharsets.UTF_8), args);
        } finally {
            System.setErr(oldErr);
        }
        String msg = err.toString(StandardCharsets.UTF_8);
        assertEquals(expectedExit, rc, out.toString(StandardCharsets.UTF_8) + msg);
        return msg;
    }

    /** One {@code error:} line, and no stack trace. */
    private static String oneErrorLine(String stderr) {
        List<String> errors = stderr.lines().filter(l -> l.startsWith("error:")).toList();
        assertEquals(1, errors.size(), stderr);
        assertFalse(stderr.lines().anyMatch(l -> l.matches("\\s+at .*") || l.startsWith("Caused by")), stderr);
        return errors.get(0);
    }

    @Test
    void helpShowsKeepCheckpointsWithItsDefault() {
        String usage = new CommandLine(new Train(System.out)).getUsageMessage().replaceAll("\\s+", " ");
        assertTrue(usage.contains("--keep-checkpoints=<keepCheckpoints>"), usage);
        assertTrue(usage.matches(".*--keep-checkpoints=<keepCheckpoints> [^-]*\\(default: 5\\).*"), usage);
    }

    @Test
    void keepCheckpointsPrunesAndADirectoryOfAnotherRunIsAOneLineError(@TempDir Path tmp) throws Exception {
        String ckpt = tmp.resolve("ckpt").toString();
        String[] common = {"--epochs", "2", "--checkpoint-dir", ckpt, "--checkpoint-every", "5"};
        run(0, concat(common, "--keep-checkpoints", "2", "--output", tmp.resolve("o1").toString()));
        long total = new CheckpointStore(tmp.resolve("o1").resolve("model").toString()).latest().orElseThrow().step();
        assertTrue(total > 10, "steps " + total);
        assertEquals(List.of((total - 1) / 5 * 5, total), new CheckpointStore(ckpt).steps());

        // the same directory again, without --resume: refused before training, nothing written
        String e = oneErrorLine(run(2, concat(common, "--output", tmp.resolve("o2").toString())));
        assertEquals("error: the checkpoint directory " + ckpt + " already holds checkpoints of an earlier run (steps "
                + (total - 1) / 5 * 5 + " to " + total + "); resume from them, or use another checkpoint directory", e);
        assertEquals(List.of((total - 1) / 5 * 5, total), new CheckpointStore(ckpt).steps());

        String seed = oneErrorLine(run(2, concat(common, "--resume", "--seed", "43", "--output",
                tmp.resolve("o3").toString())));
        assertEquals("error: checkpoint " + total + " in " + ckpt + " was made with seed 42, this run has seed 43", seed);
    }

    private static String[] concat(String[] a, String... b) {
        String[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
