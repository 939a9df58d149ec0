package io.sparkgrad.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The top-level command line: subcommands, and the train subcommand as the default. */
class CliTest {
    record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = Cli.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Run(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void argumentsWithoutASubcommandAreTrains() {
        assertArrayEquals(new String[] {"train"}, Cli.withSubcommand());
        assertArrayEquals(new String[] {"train", "--epochs", "3"}, Cli.withSubcommand("--epochs", "3"));
        assertArrayEquals(new String[] {"train", "--epochs", "3"}, Cli.withSubcommand("train", "--epochs", "3"));
        assertArrayEquals(new String[] {"--help"}, Cli.withSubcommand("--help"));
        assertArrayEquals(new String[] {"train", "--data", "x", "--help"}, Cli.withSubcommand("--data", "x", "--help"));
    }

    @Test
    void topLevelHelpListsTheSubcommands() {
        Run r = run("--help");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("Usage: sparkgrad"), r.out());
        assertTrue(r.out().contains("train"), r.out());
        assertTrue(r.out().contains("predict") && r.out().contains("evaluate"), r.out());
    }

    @Test
    void trainHelpShowsTheSharedDataOptionsAndItsOwn() {
        Run r = run("train", "--help");
        assertEquals(0, r.exit(), r.err());
        for (String option : new String[] {"--data", "--format", "--label-index", "--partitions", "--model", "--epochs"}) {
            assertTrue(r.out().contains(option), option + " in\n" + r.out());
        }
    }

    @Test
    void aBadOptionOfTheDefaultSubcommandIsOneErrorLine() {
        Run r = run("--epochs", "0");
        assertEquals(2, r.exit(), r.err());
        assertEquals("error: --epochs must be at least 1, got 0", r.err().strip());
        Run unknown = run("--no-such-option");
        assertEquals(2, unknown.exit());
        assertEquals("error: Unknown option: '--no-such-option'", unknown.err().strip());
    }
}
