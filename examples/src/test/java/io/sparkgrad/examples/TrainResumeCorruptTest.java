package io.sparkgrad.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.spark.checkpoint.CheckpointStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code --resume} past a corrupt newest checkpoint, from the command line as a user runs it (issue
 * 9, defect 1): a child JVM with {@code conf/log4j2.properties}, so its whole console is checked.
 * The damaged checkpoint (a flipped byte, or truncated) is moved aside to {@code .corrupt} with one
 * warning line naming both names, the run says it resumed from the checkpoint before, writes the
 * damaged step again and finishes with exit code 0; the damaged bytes are kept as they were.
 */
class TrainResumeCorruptTest {
    @TempDir
    static Path tmp;
    static String csv;
    /** The checkpoints of a 4-step run, every 2 steps: 2 and 4. */
    static Path original;

    private static List<String> job(int epochs, String ckpt, String output, String... more) {
        List<String> a = new java.util.ArrayList<>(List.of("--data", csv, "--model", "logreg", "--loss", "bce",
                "--epochs", Integer.toString(epochs), "--batch-size", "0", "--lr", "0.1", "--partitions", "2",
                "--checkpoint-dir", ckpt, "--checkpoint-every", "2", "--log-every", "1", "--output", output));
        a.addAll(List.of(more));
        return a;
    }

    /** 200 rows of a linearly separable rule; full batch, one step per epoch; a 4-step run. */
    @BeforeAll
    static void firstRun() throws Exception {
        StringBuilder s = new StringBuilder();
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < 200; i++) {
            double a = r.nextGaussian();
            double b = r.nextGaussian();
            s.append(String.format(Locale.ROOT, "%.5f,%.5f,%d%n", a, b, a - b > 0 ? 1 : 0));
        }
        csv = Files.writeString(tmp.resolve("rule.csv"), s).toUri().toString();
        original = tmp.resolve("ckpt");
        CliRun first = CliRun.of(job(4, original.toString(), tmp.resolve("first").toString()).toArray(new String[0]));
        assertEquals(0, first.exit(), first.out() + first.err());
        assertEquals(List.of(2L, 4L), new CheckpointStore(original.toString()).steps());
    }

    @ParameterizedTest
    @ValueSource(strings = {"flipped byte", "truncated"})
    void aCorruptNewestCheckpointIsMovedAsideWithOneWarningAndTheRunResumesFromTheOneBefore(String damage)
            throws Exception {
        Path ckpt = Files.createDirectories(tmp.resolve("ckpt-" + damage.replace(' ', '-')));
        try (var files = Files.list(original)) {
            for (Path f : files.toList()) {
                Files.copy(f, ckpt.resolve(f.getFileName()));
            }
        }
        String name = CheckpointStore.fileName(4);
        byte[] good = Files.readAllBytes(ckpt.resolve(name));
        byte[] bad = good.clone();
        if (damage.equals("truncated")) {
            bad = Arrays.copyOf(good, good.length / 2);
        } else {
            bad[good.length / 2] ^= 0x10;
        }
        Files.write(ckpt.resolve(name), bad);

        ChildJvm r = ChildJvm.run(tmp, List.of(), Cli.class.getName(),
                job(6, ckpt.toUri().toString(), tmp.resolve("out-" + ckpt.getFileName()).toString(), "--resume")
                        .toArray(new String[0]));
        assertEquals(0, r.exit(), r.out() + r.err());

        // one warning line, naming the damaged file and where it went; nothing else about it, no trace
        List<String> mentions = r.err().lines().filter(l -> l.contains(name)).toList();
        assertEquals(1, mentions.size(), r.err());
        assertTrue(Pattern.matches(".* WARN CheckpointStore: checkpoint file:" + Pattern.quote(ckpt.resolve(name).toString())
                + " is corrupt \\(.+\\): moved it aside to " + Pattern.quote(name + CheckpointStore.CORRUPT_SUFFIX)
                + " and looking for an earlier one", mentions.get(0)), mentions.get(0));
        assertFalse(r.err().contains("\tat ") || r.err().contains("error:") || r.err().contains("Exception"), r.err());

        assertTrue(r.out().contains("resumed from the checkpoint of step 2 in " + ckpt.toUri() + "; continuing at step 3/6\n"),
                r.out());
        List<String> steps = r.out().lines().filter(l -> l.startsWith("step ")).map(l -> l.split(" ")[1]).toList();
        assertEquals(List.of("3/6", "4/6", "5/6", "6/6"), steps, r.out());

        // the damaged file is kept, unchanged; step 4 is written again, valid, then step 6
        assertArrayEquals(bad, Files.readAllBytes(ckpt.resolve(name + CheckpointStore.CORRUPT_SUFFIX)));
        CheckpointStore store = new CheckpointStore(ckpt.toString());
        assertEquals(List.of(2L, 4L, 6L), store.steps());
        assertEquals(4, store.read(store.pathFor(4)).step());
        assertEquals(6, store.latest().orElseThrow().step());
    }
}
