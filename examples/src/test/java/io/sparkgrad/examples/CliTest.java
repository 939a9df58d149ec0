package io.sparkgrad.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The top-level command line: subcommands, and the train subcommand as the default. */
class CliTest {
    static CliRun run(String... args) {
        return CliRun.of(args);
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
        CliRun r = run("--help");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("Usage: sparkgrad"), r.out());
        assertTrue(r.out().contains("train"), r.out());
        assertTrue(r.out().contains("predict") && r.out().contains("evaluate"), r.out());
    }

    @Test
    void trainHelpShowsTheSharedDataOptionsAndItsOwn() {
        CliRun r = run("train", "--help");
        assertEquals(0, r.exit(), r.err());
        for (String option : new String[] {"--data", "--format", "--label-index", "--partitions", "--model", "--epochs"}) {
            assertTrue(r.out().contains(option), option + " in\n" + r.out());
        }
    }

    @Test
    void aBadOptionOfTheDefaultSubcommandIsOneErrorLine() {
        CliRun r = run("--epochs", "0");
        assertEquals(2, r.exit(), r.err());
        assertEquals("error: --epochs must be at least 1, got 0", r.err().strip());
        CliRun unknown = run("--no-such-option");
        assertEquals(2, unknown.exit());
        assertEquals("error: Unknown option: '--no-such-option'", unknown.err().strip());
    }
}
