package io.sparkgrad.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.spark.checkpoint.CorruptCheckpointException;
import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.apache.spark.SparkException;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Every failure of a subcommand ends in one of two ways (issue 9, defect 4): a user error as one
 * {@code error:} line and exit code 2, or an internal error as its trace and exit code 1. The
 * failures are thrown by a stand-in command through {@link Cli#configure}, as Spark delivers them.
 */
class CliErrorsTest {
    record Run(int exit, String err) {
    }

    @Command(name = "fails")
    static final class Fails implements Callable<Integer> {
        final Exception e;

        Fails(Exception e) {
            this.e = e;
        }

        @Override
        public Integer call() throws Exception {
            throw e;
        }
    }

    private static Run run(Exception e) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(err, true, StandardCharsets.UTF_8);
        int rc = Cli.configure(new CommandLine(new Fails(e)), ps, ps).execute();
        return new Run(rc, err.toString(StandardCharsets.UTF_8));
    }

    private static void assertUserError(String line, Exception e) {
        Run r = run(e);
        assertEquals(2, r.exit(), r.err());
        assertEquals("error: " + line + "\n", r.err());
    }

    @Test
    void badDataNamedOnlyInASparkMessageIsFound() {
        // A task's exception that Spark could not deserialize survives only as text in the message.
        assertUserError("file:/d/x.csv:50: field 1 '1x.94' is not a number", new SparkException(
                "Job aborted due to stage failure: Task 0 in stage 0.0 failed 1 times, most recent failure: Lost task 0.0"
                        + " (TID 0) (localhost executor driver): io.sparkgrad.spark.BadDataException: file:/d/x.csv:50:"
                        + " field 1 '1x.94' is not a number\n\tat io.sparkgrad.spark.DataLoader.parseNumber(DataLoader.java:1)\n"));
    }

    @Test
    void badDataAsACauseIsFound() {
        assertUserError("x.csv:3: field 2 'a' is not a number", new SparkException("Job aborted",
                new io.sparkgrad.spark.BadDataException("x.csv:3: field 2 'a' is not a number")));
    }

    @Test
    void aCorruptCheckpointThatCannotBeRecoveredIsAUserError() {
        assertUserError("corrupt checkpoint /c/ckpt-1: checksum mismatch",
                new CorruptCheckpointException("/c/ckpt-1", "checksum mismatch"));
    }

    @Test
    void anUnregisteredInputTypeIsAUserError() {
        assertUserError("the input holds values of type org.apache.spark.sql.types.MapType, which SparkGrad cannot read;"
                        + " use numeric columns (a vector or an array of numbers)",
                new SparkException("Job aborted", new RuntimeException(
                        "com.esotericsoftware.kryo.KryoException: java.lang.IllegalArgumentException: Class is not registered:"
                                + " org.apache.spark.sql.types.MapType\nNote: To register this class use: ...")));
    }

    @Test
    void kryoRefusingAClassOfOursIsAnInternalError() {
        Run r = run(new SparkException("Job aborted", new RuntimeException(
                "com.esotericsoftware.kryo.KryoException: Class is not registered: java.util.TreeSet")));
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().contains("Class is not registered: java.util.TreeSet"), r.err());
    }

    @Test
    void aMissingFileIsAUserError() {
        assertUserError("/no/such.csv (No such file or directory)", new FileNotFoundException("/no/such.csv (No such file or directory)"));
    }

    @Test
    void anInternalErrorPrintsItsTraceAndExitsOne() {
        Run r = run(new SparkException("Job aborted", new NullPointerException("internal: no model")));
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().contains("NullPointerException: internal: no model"), r.err());
        assertTrue(r.err().contains("\tat "), r.err());
        assertTrue(!r.err().startsWith("error:"), r.err());
    }

    @Test
    void helpSaysHowToSeeSparksLogs() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        assertEquals(0, Cli.run(ps, ps, "train", "--help"));
        String help = out.toString(StandardCharsets.UTF_8);
        assertTrue(help.contains("SPARKGRAD_VERBOSE=1"), help);
        assertTrue(help.contains("Exit codes: 0 done; 2 a user error"), help);
    }
}
