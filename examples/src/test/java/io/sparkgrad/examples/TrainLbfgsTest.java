package io.sparkgrad.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.ml.SparkGradModel;
import io.sparkgrad.nn.OptimizerState;
import io.sparkgrad.spark.checkpoint.Checkpoint;
import io.sparkgrad.spark.checkpoint.CheckpointStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --optimizer lbfgs} and {@code owlqn} on the bundled breast cancer data (logistic
 * regression, the default 70/10/20 split), as a user runs them: the test accuracy, the stop line,
 * and the model directory's final checkpoint holding the minimiser's state.
 */
class TrainLbfgsTest {
    private static final Pattern STOPPED = Pattern.compile("(lbfgs|owlqn) stopped after iteration (\\d+): (.+)");

    @TempDir
    static Path tmp;
    static Path csv;

    @BeforeAll
    static void data() throws Exception {
        System.setProperty("spark.ui.enabled", "false");
        csv = tmp.resolve("breast_cancer.csv");
        Files.write(csv, Train.bundled(BreastCancer.RESOURCE));
    }

    private static CliRun train(String output, String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "--data", csv.toUri().toString(), "--header", "--model", "logreg",
                "--loss", "bce", "--epochs", "100", "--log-every", "1", "--output", tmp.resolve(output).toString()));
        a.addAll(List.of(extra));
        CliRun r = CliRun.of(a.toArray(new String[0]));
        System.out.print(r.out());
        assertEquals(0, r.exit(), r.out() + r.err());
        return r;
    }

    private static double testAccuracy(CliRun r) {
        String last = r.out().lines().filter(l -> l.startsWith("trained on")).findFirst().orElseThrow(() -> new AssertionError(r.out()));
        return Double.parseDouble(last.replaceAll(".*test accuracy ([0-9.]+) on.*", "$1"));
    }

    private static Matcher stopped(CliRun r) {
        String line = r.out().lines().filter(l -> STOPPED.matcher(l).matches()).findFirst()
                .orElseThrow(() -> new AssertionError("no stop line in\n" + r.out()));
        Matcher m = STOPPED.matcher(line);
        assertTrue(m.matches());
        return m;
    }

    /** The final checkpoint in model/: the minimiser's state at the last iteration, the model's weights. */
    private static Checkpoint finalCheckpoint(String output, SparkGradModel model) throws Exception {
        Checkpoint cp = new CheckpointStore(tmp.resolve(output).resolve("model").toString()).latest().orElseThrow();
        assertArrayEquals(model.weights(), cp.values());
        return cp;
    }

    @Test
    void lbfgsWithL2ReachesAtLeast95PercentTestAccuracyAndSavesItsState() throws Exception {
        CliRun r = train("lbfgs", "--optimizer", "lbfgs", "--l2", "0.01");
        // measured 0.9912 (112 of 113 test rows; Adam's default run on breast cancer: 0.965)
        double acc = testAccuracy(r);
        assertTrue(acc >= 0.95, "test accuracy " + acc);
        assertTrue(r.out().contains("model logreg, loss BCE_WITH_LOGITS, lbfgs,"), r.out());
        // one step line per iteration, with no learning rate: its line search chooses the step
        assertTrue(r.out().lines().anyMatch(l -> l.matches("step 1/100 \\| epoch 1 \\| loss [0-9.]+ \\| \\d+ samples/s \\| line search \\| eta .*")),
                r.out());
        Matcher m = stopped(r);
        int iterations = Integer.parseInt(m.group(2));
        assertTrue(iterations >= 5 && iterations < 100, "stopped before maxIter: " + m.group());
        assertEquals(iterations, r.out().lines().filter(l -> l.startsWith("step ")).count(), "a line per iteration");

        SparkGradModel model = SparkGradModel.load(tmp.resolve("lbfgs/model").toString(), new Configuration());
        OptimizerState st = finalCheckpoint("lbfgs", model).optimizerState();
        assertEquals("LBFGS", st.kind());
        assertEquals(iterations, st.step());
        // (no s/i, y/i pairs when the run ends on a failed line search: Breeze has just reset its history)
        assertTrue(st.slotNames().containsAll(List.of("x", "grad", "adjustedGrad", "values")), st.slotNames().toString());
        assertEquals(3, st.slot("values").length);
        double[] x = st.slot("x");
        assertEquals(31, x.length); // 30 weights and the bias
        for (int i = 0; i < x.length; i++) {
            assertEquals((float) x[i], model.weights()[i], 0f, "the model holds the minimiser's point, rounded to float");
        }
    }

    @Test
    void owlqnZeroesWeightsAndKeepsAtLeast95PercentTestAccuracy() throws Exception {
        CliRun r = train("owlqn", "--optimizer", "owlqn", "--l1", "0.02");
        double acc = testAccuracy(r); // measured 0.9735
        assertTrue(acc >= 0.95, "test accuracy " + acc);
        assertEquals("owlqn", stopped(r).group(1));
        SparkGradModel model = SparkGradModel.load(tmp.resolve("owlqn/model").toString(), new Configuration());
        float[] w = model.weights(); // 0.weight (30), then 0.bias
        int zeros = 0;
        for (int i = 0; i < 30; i++) {
            zeros += w[i] == 0f ? 1 : 0;
        }
        System.out.println("owlqn: " + zeros + " of 30 weights are zero");
        // the L1 term leaves a sparse model: most of the 30 correlated features get no weight (measured: 24)
        assertTrue(zeros >= 10 && zeros < 30, "zero weights: " + zeros + " of 30");
        assertEquals("OWLQN", finalCheckpoint("owlqn", model).optimizerState().kind());
    }
}
