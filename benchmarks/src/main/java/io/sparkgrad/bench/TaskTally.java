package io.sparkgrad.bench;

import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;
import org.apache.spark.SparkContext;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * Where a benchmark's tasks spent their time, from Spark's own task metrics: how many ran
 * {@code PROCESS_LOCAL} (on the executor that caches their block) and how many did not (which then
 * read their block from another executor), and per task the run time, the CPU time, the GC time
 * and the deserialisation and result serialisation times. Listening starts at construction and
 * stops at {@link #line}; Spark delivers the events asynchronously, so {@link #line} waits until
 * {@code expectedTasks} have arrived (or 10 s).
 */
final class TaskTally extends SparkListener {
    private final SparkContext sc;
    private final LongAdder tasks = new LongAdder();
    private final LongAdder local = new LongAdder();
    private final LongAdder runMs = new LongAdder();
    private final LongAdder cpuNs = new LongAdder();
    private final LongAdder gcMs = new LongAdder();
    private final LongAdder deserializeMs = new LongAdder();
    private final LongAdder resultSerializeMs = new LongAdder();

    TaskTally(SparkContext sc) {
        this.sc = sc;
        sc.addSparkListener(this);
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        TaskMetrics m = end.taskMetrics();
        tasks.increment();
        if ("PROCESS_LOCAL".equals(end.taskInfo().taskLocality().toString())) {
            local.increment();
        }
        if (m != null) {
            runMs.add(m.executorRunTime());
            cpuNs.add(m.executorCpuTime());
            gcMs.add(m.jvmGCTime());
            deserializeMs.add(m.executorDeserializeTime());
            resultSerializeMs.add(m.resultSerializationTime());
        }
    }

    /** Stops listening and returns {@code TASKS,<label>,...}: counts, and milliseconds per task. */
    String line(String label, long expectedTasks) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (tasks.sum() < expectedTasks && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        sc.removeSparkListener(this);
        double n = Math.max(1, tasks.sum());
        return String.format(Locale.ROOT,
                "TASKS,%s,tasks=%d,process_local=%d,run_ms=%.1f,cpu_ms=%.1f,gc_ms=%.1f,deserialize_ms=%.1f,result_serialize_ms=%.1f",
                label, tasks.sum(), local.sum(), runMs.sum() / n, cpuNs.sum() / 1e6 / n, gcMs.sum() / n,
                deserializeMs.sum() / n, resultSerializeMs.sum() / n);
    }
}
