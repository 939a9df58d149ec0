package io.sparkgrad.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.sparkgrad.spark.fuzz.FuzzBudget;
import io.sparkgrad.spark.fuzz.Mutator;
import java.io.BufferedReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes the text readers' line parser ({@code DataLoader.parseLine}) with mutations of the seed
 * corpus in {@code src/test/resources/fuzz/csv} and {@code fuzz/libsvm} (issue 9, section 2).
 * Every line either parses into a sample of the declared width with finite values and a label the
 * label rule accepts, is skipped (blank or a comment), or fails with a {@link BadDataException}
 * that names the file and line; nothing else may escape. Whole LIBSVM inputs go through the
 * feature-count inference ({@link FeatureCount}) first, in memory and, for some, from a real file
 * (plain or gzipped) as {@code DataLoader.load} reads it; then every line is parsed at the inferred
 * width, which never exceeds {@link TrainingData#MAX_FEATURES}. {@link FuzzBudget} sets the iterations;
 * {@link FuzzBudget#hangGuard} bounds each target against a hang (not a speed check).
 */
class ReaderFuzzTest {
    static final List<String> CSV_TOKENS = List.of(",", ",,", "\n", "#", " ", "\t", "\u00a0", "NaN", "Infinity", "-0",
            "1e39", "1e-46", "0x1p3", "1f", "1d", "+", "-", ".", "e", "٣", "\uFFFD", "\r\n", "\"1\"", "2147483648");
    static final List<String> LIBSVM_TOKENS = List.of(" ", ":", "1:", "0:", "-1:", "5:1", "4:", "2147483648:1",
            "+3:1", " 2:NaN", "\t", "\n", "1e39", "::", "3:4:5", "#", "\u00a0", "٣:1",
            // feature counts around the ceiling of dense rows, and far beyond it
            " 2147483647:1", " 524287:1", " 524288:1", " 1048576:1", " 99999999:1");

    @Test
    void csvLinesParseOrFailWithBadData() {
        assertTimeoutPreemptively(FuzzBudget.hangGuard(), () -> fuzz(DataLoader.Format.CSV, "fuzz/csv", CSV_TOKENS));
    }

    @Test
    void libsvmLinesParseOrFailWithBadData() {
        assertTimeoutPreemptively(FuzzBudget.hangGuard(), () -> fuzz(DataLoader.Format.LIBSVM, "fuzz/libsvm", LIBSVM_TOKENS));
    }

    /** Every how many inputs the whole-input fuzz also reads one from a real file. */
    static final int FILE_EVERY = 50;

    @Test
    void wholeLibsvmInputsInferTheirWidthWithinTheLimitAndParseOrFailWithBadData(@TempDir Path tmp) {
        assertTimeoutPreemptively(FuzzBudget.hangGuard(), () -> fuzzWholeLibsvm(tmp));
    }

    private static void fuzzWholeLibsvm(Path tmp) throws Exception {
        long seed = FuzzBudget.seed();
        Mutator m = new Mutator(seed, Mutator.corpus("fuzz/libsvm"), LIBSVM_TOKENS);
        Configuration conf = new Configuration();
        int inferred = 0;
        int beyondLimit = 0;
        int fromFiles = 0;
        int parsed = 0;
        for (int i = 0; i < FuzzBudget.iterations(); i++) {
            byte[] input = m.next();
            String text = new String(input, StandardCharsets.UTF_8);
            try {
                int dim;
                try {
                    dim = FeatureCount.ofLibsvm(new BufferedReader(new StringReader(text)), "f.txt");
                } catch (BadDataException e) {
                    String msg = e.getMessage();
                    if (msg.matches("f\\.txt:\\d+: feature index \\d+ exceeds the limit of "
                            + TrainingData.MAX_FEATURES + " features \\(dense rows\\)")) {
                        beyondLimit++;
                    } else {
                        assertEquals("f.txt: no features found; pass the feature count", msg);
                    }
                    dim = -1;
                }
                if (i % FILE_EVERY == 0) { // the same input from a file, as DataLoader.load infers it
                    boolean gz = i % (2 * FILE_EVERY) == 0;
                    Path f = tmp.resolve("in-" + i + (gz ? ".txt.gz" : ".txt"));
                    if (gz) {
                        try (GZIPOutputStream out = new GZIPOutputStream(Files.newOutputStream(f))) {
                            out.write(input);
                        }
                    } else {
                        Files.write(f, input);
                    }
                    String name = "file:" + f;
                    int fromFile;
                    try {
                        fromFile = FeatureCount.infer(f.toString(), DataLoader.Format.LIBSVM,
                                DataLoader.Options.defaults(), conf);
                    } catch (BadDataException e) {
                        assertTrue(e.getMessage().startsWith(name + ":"), e.getMessage());
                        fromFile = -1;
                    }
                    assertEquals(dim, fromFile, "the file's width differs from the lines'");
                    Files.delete(f);
                    fromFiles++;
                }
                if (dim < 0) {
                    continue;
                }
                inferred++;
                assertTrue(dim >= 1 && dim <= TrainingData.MAX_FEATURES, "width " + dim);
                // the lines as Hadoop's reader and the inference split them (\n, \r or \r\n)
                List<String> lines = new BufferedReader(new StringReader(text)).lines().toList();
                for (int n = 0; n < lines.size(); n++) {
                    try {
                        Sample s = DataLoader.parseLine(lines.get(n), "f.txt", n + 1, DataLoader.Format.LIBSVM,
                                DataLoader.Options.defaults(), dim);
                        if (s != null) {
                            parsed++;
                            assertEquals(dim, s.features().length);
                        }
                    } catch (BadDataException e) {
                        assertTrue(e.getMessage().startsWith("f.txt:" + (n + 1) + ": "), e.getMessage());
                    }
                }
            } catch (Throwable t) {
                fail("seed " + seed + ", iteration " + i + ": " + t + " for " + Mutator.show(input), t);
            }
        }
        // Every outcome must be reached, or the fuzz tests nothing.
        int total = FuzzBudget.iterations();
        assertTrue(inferred >= total / 4 && beyondLimit >= total / 200 && parsed >= total / 4 && fromFiles >= total / FILE_EVERY,
                "inferred " + inferred + ", beyond the limit " + beyondLimit + ", parsed " + parsed + ", from files " + fromFiles);
    }

    private static void fuzz(DataLoader.Format format, String corpus, List<String> tokens) {
        long seed = FuzzBudget.seed();
        Mutator m = new Mutator(seed, Mutator.corpus(corpus), tokens);
        int dim = 4;
        LabelRule[] rules = {null, LabelRule.of(LossKind.SOFTMAX_CROSS_ENTROPY, -1),
            LabelRule.of(LossKind.SOFTMAX_CROSS_ENTROPY, 3), LabelRule.of(LossKind.BCE_WITH_LOGITS, 1)};
        int parsed = 0;
        int refused = 0;
        for (int i = 0; i < FuzzBudget.iterations(); i++) {
            byte[] input = m.next();
            LabelRule rule = rules[i % rules.length];
            DataLoader.Options opt = DataLoader.Options.defaults().withLabels(rule);
            if (format == DataLoader.Format.CSV && i % 5 == 0) { // the label in the first field
                opt = new DataLoader.Options(false, 0, dim, "features", "label", null, rule);
            }
            String[] lines = new String(input, StandardCharsets.UTF_8).split("\n", -1);
            for (int n = 0; n < lines.length; n++) {
                String where = "f.txt:" + (n + 1);
                try {
                    Sample s = DataLoader.parseLine(lines[n], "f.txt", n + 1, format, opt, dim);
                    if (s != null) {
                        parsed++;
                        assertEquals(dim, s.features().length);
                        for (float v : s.features()) {
                            assertTrue(Float.isFinite(v), "a non-finite feature");
                        }
                        assertTrue(Float.isFinite(s.label()), "a non-finite label");
                        assertEquals(null, rule == null ? null : rule.check(s.label(), "?"), "an accepted bad label");
                    }
                } catch (BadDataException e) {
                    refused++;
                    assertTrue(e.getMessage().startsWith(where + ": "), e.getMessage());
                } catch (Throwable t) {
                    fail("seed " + seed + ", iteration " + i + ", line " + (n + 1) + ": " + t + " for "
                            + Mutator.show(input), t);
                }
            }
        }
        // The fuzz must reach both outcomes, or it tests nothing.
        assertTrue(parsed > 100 && refused > 100, "parsed " + parsed + ", refused " + refused);
    }
}
