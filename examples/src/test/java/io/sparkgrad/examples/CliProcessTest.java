package io.sparkgrad.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console as a user sees it (issue 9, defect 4): the CLI runs in a child JVM with the logging
 * configuration {@code spark-submit.sh} uses ({@code conf/log4j2.properties}), and its whole
 * stderr is checked. A malformed row gives exactly one {@code error:} line and exit code 2, with
 * none of Spark's task-failure logs before it, unless verbose; an internal error in a task gives its
 * trace and 1.
 */
class CliProcessTest {
    @TempDir
    Path dir;

    private ChildJvm java(String mainClass, String... args) throws Exception {
        return ChildJvm.run(dir, List.of(), mainClass, args);
    }

    private ChildJvm java(List<String> jvmOptions, String mainClass, String... args) throws Exception {
        return ChildJvm.run(dir, jvmOptions, mainClass, args);
    }

    /** 60 rows, the 50th malformed. */
    private Path badCsv() throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 1; i <= 60; i++) {
            lines.add((i == 50 ? "1x.94" : "0." + i) + ",1.5,2.5," + (i % 3));
        }
        return Files.write(dir.resolve("bad.csv"), lines);
    }

    @Test
    void aMalformedRowIsOneErrorLineWithoutSparksTaskLogs() throws Exception {
        Path csv = badCsv();
        ChildJvm r = java(Cli.class.getName(), "--data", csv.toString(), "--epochs", "1", "--partitions", "1",
                "--output", dir.resolve("run").toString());
        assertEquals("error: file:" + csv + ":50: field 1 '1x.94' is not a number\n", r.err(), r.out());
        assertEquals(2, r.exit(), r.err());
    }

    /**
     * Verbose, as {@code spark-submit.sh --verbose} or {@code SPARKGRAD_VERBOSE=1} runs the JVM (the
     * two properties {@link SparkSubmitScriptTest} shows it sets): Spark's report of the failed task
     * is back (the executor's "Exception in task" with its trace, the driver's "Lost task" naming the
     * BadDataException and its "aborting job"), and the run still ends in the one error line, exit 2.
     */
    @Test
    void verboseShowsSparksTaskLogsBeforeTheErrorLine() throws Exception {
        Path csv = badCsv();
        ChildJvm r = java(SparkSubmitScriptTest.VERBOSE_OPTIONS, Cli.class.getName(), "--data", csv.toString(), "--epochs", "1",
                "--partitions", "1", "--output", dir.resolve("run").toString());
        assertEquals(2, r.exit(), r.err());
        String error = "error: file:" + csv + ":50: field 1 '1x.94' is not a number";
        List<String> err = r.err().lines().toList();
        assertEquals(error, err.get(err.size() - 1), r.err());
        assertEquals(1, err.stream().filter(l -> l.startsWith("error: ")).count(), r.err());
        assertTrue(err.stream().anyMatch(l -> l.matches(".* ERROR Executor: Exception in task \\S+ in stage .*")), r.err());
        assertTrue(err.stream().anyMatch(l -> l.startsWith("io.sparkgrad.spark.BadDataException: file:" + csv + ":50: ")),
                r.err());
        assertTrue(err.stream().anyMatch(l -> l.matches("\tat io\\.sparkgrad\\.spark\\.DataLoader\\..*")), r.err());
        assertTrue(err.stream().anyMatch(l -> l.matches(".* WARN TaskSetManager: Lost task .*: "
                + "io\\.sparkgrad\\.spark\\.BadDataException: file:.*:50: field 1 '1x\\.94' is not a number")), r.err());
        assertTrue(err.stream().anyMatch(l -> l.matches(".* ERROR TaskSetManager: Task \\S+ in stage \\S+ failed \\d+ times;"
                + " aborting job")), r.err());
    }

    @Test
    void anInternalErrorInATaskPrintsItsTraceAndExitsOne() throws Exception {
        ChildJvm r = java(TaskFailureMain.class.getName());
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().contains("java.lang.IllegalStateException: internal: a task broke"), r.err());
        assertTrue(r.err().contains("\tat io.sparkgrad.examples.TaskFailureMain"), r.err());
        assertTrue(!r.err().contains("error: "), r.err());
    }
}
