package io.sparkgrad.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The console's lines on a synthetic run, with a clock the test moves (no timing). */
class ConsoleProgressTest {
    private long now;

    private static StepRecord step(long step, long total, int perEpoch) {
        return new StepRecord(step, total, (int) ((step - 1) / perEpoch), 1.0 / step, 128, 0.5, 0.005, 1, false, null);
    }

    /** 30 epochs of 12 steps, 0.5 s each: 180 s. */
    private List<String> run(ProgressListener p) {
        p.onStart(1, 360);
        for (long s = 1; s <= 360; s++) {
            now += 500_000_000L;
            p.onStep(step(s, 360, 12), 0.5 * (360 - s));
            if (s % 12 == 0) {
                Evaluator.Metrics v = new Evaluator.Metrics();
                v.classification = true;
                v.loss = 0.2;
                v.weight = 1;
                v.correct = 9;
                v.count = 10;
                p.onEpoch(new EpochRecord((int) (s / 12) - 1, 30, s, 0.25, 0.95, v));
            }
        }
        p.onFinish();
        return List.of();
    }

    private List<String> lines(java.util.function.Function<PrintStream, ProgressListener> make) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        run(make.apply(new PrintStream(buf, true, StandardCharsets.UTF_8)));
        return buf.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void byDefaultALineEveryTenSecondsTheLastEpochAndASummary() {
        List<String> out = lines(o -> ProgressListener.consoleEvery(o, 10, () -> now));
        // 180 s with 6 s epochs: the first step, then the first epoch to end after each 10 s (every
        // other one, 12 s apart: 14 of them), the last epoch and the summary
        assertEquals(17, out.size(), String.join("\n", out));
        assertTrue(out.get(0).startsWith("step 1/360 | epoch 1 | loss 1.0000"), out.get(0));
        assertEquals("epoch 30/30 | train loss 0.2500 | train accuracy 0.9500 | validation loss 0.2000 | validation accuracy 0.9000",
                out.get(out.size() - 2));
        assertEquals("done: 360 steps, 30 epochs in 0:03:00 | train loss 0.2500 | train accuracy 0.9500 | validation loss"
                + " 0.2000 | validation accuracy 0.9000", out.get(out.size() - 1));
        assertTrue(out.get(1).startsWith("epoch 2/30 |"), out.get(1));
        assertTrue(out.get(2).startsWith("epoch 4/30 |"), out.get(2));
        assertEquals(1, out.stream().filter(l -> l.startsWith("step ")).count(), "short epochs: epoch lines, not step lines");
        // epochs longer than the interval (30 s each): step lines in between
        now = 0;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ProgressListener p = ProgressListener.consoleEvery(new PrintStream(buf, true, StandardCharsets.UTF_8), 10, () -> now);
        p.onStart(1, 120);
        for (long s = 1; s <= 120; s++) {
            now += 500_000_000L;
            p.onStep(step(s, 120, 60), 0);
            if (s % 60 == 0) {
                p.onEpoch(new EpochRecord((int) (s / 60) - 1, 2, s, 0.25, 0.95, null));
            }
        }
        p.onFinish();
        List<String> longEpochs = buf.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(List.of("step 1/", "step 21/", "step 41/", "epoch 1/2", "step 80/", "step 100/", "epoch 2/2", "done"),
                longEpochs.stream().map(l -> l.replaceAll("^(step \\d+/|epoch \\d/2|done).*", "$1")).toList(),
                String.join("\n", longEpochs));
    }

    @Test
    void everyNStepsPrintsThoseStepsAndEveryEpoch() {
        List<String> out = lines(o -> ProgressListener.console(o, 100));
        long steps = out.stream().filter(l -> l.startsWith("step ")).count();
        long epochs = out.stream().filter(l -> l.startsWith("epoch ")).count();
        assertEquals(5, steps, String.join("\n", out)); // 1, 100, 200, 300, 360
        assertEquals(30, epochs);
        assertTrue(out.get(out.size() - 1).startsWith("done: 360 steps, 30 epochs in "), out.get(out.size() - 1));
    }

    @Test
    void aRegressionLineShowsRmseMaeAndR2AndNoAccuracy() {
        Evaluator.Metrics v = new Evaluator.Metrics();
        v.loss = 0.3;
        v.weight = 2;
        v.count = 2;
        v.regression = RegressionMetrics.empty().add(2, 1, 1).add(3, 3, 1).inUnitsOf(new TargetScale(10, 2));
        String line = ConsoleProgress.epochLine(new EpochRecord(2, 10, 30, 0.4, Double.NaN, v));
        assertEquals("epoch 3/10 | train loss 0.4000 | validation loss 0.1500 | validation RMSE 1.414 | MAE 1.000 | R2 0.5000",
                line);
    }
}
