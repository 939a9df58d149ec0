package io.sparkgrad.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.spark.checkpoint.CheckpointStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** State that must not change silently: a reused --output, --resume, and where a resume starts. */
class TrainStateTest {
    @TempDir
    static Path data;
    static String csv;

    /** 200 rows of a linearly separable rule; full batch, so one step per epoch. */
    @BeforeAll
    static void writeData() throws Exception {
        StringBuilder s = new StringBuilder();
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < 200; i++) {
            double a = r.nextGaussian();
            double b = r.nextGaussian();
            s.append(String.format(java.util.Locale.ROOT, "%.5f,%.5f,%d%n", a, b, a - b > 0 ? 1 : 0));
        }
        Path p = data.resolve("rule.csv");
        Files.writeString(p, s);
        csv = p.toUri().toString();
    }

    record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = Train.run(new Train(new PrintStream(out, true, StandardCharsets.UTF_8)),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Run(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String[] job(int epochs, String... more) {
        List<String> a = new java.util.ArrayList<>(List.of("--data", csv, "--model", "logreg", "--loss", "bce",
                "--epochs", Integer.toString(epochs), "--batch-size", "0", "--lr", "0.1", "--partitions", "2"));
        a.addAll(List.of(more));
        return a.toArray(new String[0]);
    }

    /** The steps the run took, from its summary line ({@code done: N steps, ...}). */
    private static long steps(Run r) {
        return r.out().lines().filter(l -> l.startsWith("done: ")).mapToLong(l -> Long.parseLong(l.split(" ")[1]))
                .findFirst().orElse(-1);
    }

    @Test
    void aReusedOutputIsRefusedAndOverwriteReplacesTheEarlierRun(@TempDir Path tmp) throws Exception {
        String o = tmp.resolve("out").toString();
        Run first = run(job(3, "--output", o));
        assertEquals(0, first.exit(), first.err());
        assertEquals(3, steps(first), first.out());
        assertEquals(List.of(3L), new CheckpointStore(tmp.resolve("out").resolve("model").toString()).steps());

        Run again = run(job(1, "--output", o));
        assertEquals(2, again.exit(), again.err());
        assertEquals("error: --output " + o + " already holds an earlier run (model, metrics.csv, loss.png); pass"
                + " --overwrite to replace it, or choose another directory", again.err().strip());
        assertEquals("", again.out()); // refused before Spark ran anything

        Run replaced = run(job(1, "--output", o, "--overwrite"));
        assertEquals(0, replaced.exit(), replaced.err());
        assertEquals(1, steps(replaced), replaced.out());
        // only the new run's model: the stale one (with the higher step) is gone, and the metrics are the new run's
        assertEquals(List.of(1L), new CheckpointStore(tmp.resolve("out").resolve("model").toString()).steps());
        assertEquals(2, Files.readAllLines(tmp.resolve("out").resolve("metrics.csv")).size());
    }

    @Test
    void aResumeSaysWhichStepItResumedFrom(@TempDir Path tmp) {
        String ckpt = tmp.resolve("ckpt").toUri().toString();
        Run fresh = run(job(4, "--checkpoint-dir", ckpt, "--resume", "--checkpoint-every", "2",
                "--output", tmp.resolve("a").toString()));
        assertEquals(0, fresh.exit(), fresh.err());
        assertTrue(fresh.out().contains("--resume: no checkpoint in " + ckpt + "; starting at step 1/4"), fresh.out());

        Run resumed = run(job(6, "--checkpoint-dir", ckpt, "--resume", "--checkpoint-every", "2",
                "--output", tmp.resolve("b").toString()));
        assertEquals(0, resumed.exit(), resumed.err());
        assertTrue(resumed.out().contains("resumed from the checkpoint of step 4 in " + ckpt + "; continuing at step 5/6"),
                resumed.out());
        String firstStep = resumed.out().lines().filter(l -> l.startsWith("step ")).findFirst().orElseThrow();
        assertTrue(firstStep.startsWith("step 5/6 "), firstStep);
    }
}
