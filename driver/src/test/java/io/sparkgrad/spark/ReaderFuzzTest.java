package io.sparkgrad.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.sparkgrad.spark.fuzz.FuzzBudget;
import io.sparkgrad.spark.fuzz.Mutator;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the text readers' line parser ({@code DataLoader.parseLine}) with mutations of the seed
 * corpus in {@code src/test/resources/fuzz/csv} and {@code fuzz/libsvm} (issue 9, section 2).
 * Every line either parses into a sample of the declared width with finite values and a label the
 * label rule accepts, is skipped (blank or a comment), or fails with a {@link BadDataException}
 * that names the file and line; nothing else may escape. {@link FuzzBudget} sets the iterations;
 * {@link FuzzBudget#hangGuard} bounds each target against a hang (not a speed check).
 */
class ReaderFuzzTest {
    static final List<String> CSV_TOKENS = List.of(",", ",,", "\n", "#", " ", "\t", "\u00a0", "NaN", "Infinity", "-0",
            "1e39", "1e-46", "0x1p3", "1f", "1d", "+", "-", ".", "e", "٣", "\uFFFD", "\r\n", "\"1\"", "2147483648");
    static final List<String> LIBSVM_TOKENS = List.of(" ", ":", "1:", "0:", "-1:", "5:1", "4:", "2147483648:1",
            "+3:1", " 2:NaN", "\t", "\n", "1e39", "::", "3:4:5", "#", "\u00a0", "٣:1");

    @Test
    void csvLinesParseOrFailWithBadData() {
        assertTimeoutPreemptively(FuzzBudget.hangGuard(), () -> fuzz(DataLoader.Format.CSV, "fuzz/csv", CSV_TOKENS));
    }

    @Test
    void libsvmLinesParseOrFailWithBadData() {
        assertTimeoutPreemptively(FuzzBudget.hangGuard(), () -> fuzz(DataLoader.Format.LIBSVM, "fuzz/libsvm", LIBSVM_TOKENS));
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
