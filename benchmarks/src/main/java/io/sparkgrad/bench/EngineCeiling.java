package io.sparkgrad.bench;

import io.sparkgrad.spark.DataBlock;
import io.sparkgrad.spark.LossKind;
import io.sparkgrad.spark.PartitionGradient;
import io.sparkgrad.spark.StepPlan;
import io.sparkgrad.spark.TaskHook;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The machine's own ceiling for {@link ClusterScaling}: the same partitions' gradients, computed
 * by {@link PartitionGradient} as an executor's task does, in a plain JVM with no Spark. One
 * process computes its {@code share} of the partitions ({@code share=K/N}: those whose index is
 * K modulo N) for {@code warmup} then {@code passes} passes, and prints
 * {@code CEILING_MS,<ms per measured pass>}. {@code benchmarks/cluster_scaling.sh} runs one
 * process with every partition ({@code 0/1}), then two at once with half each ({@code 0/2} and
 * {@code 1/2}); the slower of the two is the pair's time per pass, and one's time over the pair's
 * is how far two cores of this machine scale this work with no Spark at all. Arguments as
 * {@link ClusterScaling}'s ({@link ClusterScaling.Work}), plus {@code share}.
 */
public final class EngineCeiling {
    private EngineCeiling() {
    }

    public static void main(String[] args) {
        SideBySide.parseArgs(args);
        ClusterScaling.Work w = ClusterScaling.Work.fromArgs();
        String[] share = SideBySide.arg("share", "0/1").split("/");
        int k = Integer.parseInt(share[0]);
        int n = Integer.parseInt(share[1]);
        List<Integer> mine = new ArrayList<>();
        List<List<DataBlock>> data = new ArrayList<>();
        for (int p = k; p < w.parts(); p += n) {
            mine.add(p);
            data.add(w.partition(p));
        }
        PartitionGradient task = new PartitionGradient(w.spec(), LossKind.SOFTMAX_CROSS_ENTROPY, TaskHook.NONE, 1);
        float[] params = w.spec().create().trainableParamTuple().flatten();
        StepPlan plan = StepPlan.fullBatch(256);
        double checksum = 0;
        long t0 = 0;
        for (int i = 0; i < w.warmup() + w.passes(); i++) {
            if (i == w.warmup()) {
                t0 = System.nanoTime();
            }
            for (int j = 0; j < mine.size(); j++) {
                checksum += task.compute(mine.get(j), data.get(j).iterator(), params, plan, 0).loss();
            }
        }
        double ms = (System.nanoTime() - t0) / 1e6 / w.passes();
        System.out.printf(Locale.ROOT, "CEILING_MS,%.1f,share=%d/%d,partitions=%d,checksum=%.6g%n", ms, k, n, mine.size(),
                checksum);
    }
}
