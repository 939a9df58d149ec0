package io.sparkgrad.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Train's options, parsed and validated as the CLI does, without starting Spark: every boolean of
 * every subcommand (train, predict, evaluate) in both spellings, every refused value as one
 * {@code error:} line with exit code 2, the defaults in {@code --help}, and the state of
 * {@code --output}.
 */
class TrainOptionsTest {

    /** A job that fails the test if it gets as far as starting Spark. */
    private static Train noSpark(PrintStream out) {
        return new Train(out, () -> {
            throw new AssertionError("Spark was started; the options should have been refused first");
        });
    }

    /** Sessions that fail the test if a subcommand gets as far as starting Spark. */
    private static java.util.function.Supplier<org.apache.spark.sql.SparkSession> failingSessions() {
        return () -> {
            throw new AssertionError("Spark was started; the command line was only to be parsed");
        };
    }

    /** Parses {@code args} onto a fresh job, as the CLI does, without running it. */
    private static Train parse(String... args) {
        return parsed(args).getCommand();
    }

    private static CommandLine parsed(String... args) {
        Train t = noSpark(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        CommandLine cl = Train.commandLine(t, System.err);
        cl.parseArgs(args);
        return cl;
    }

    /** The parsed value of {@code option} (read through picocli, so a missing option fails clearly). */
    private static Object value(String option, String... args) {
        return value(parsed(args), option);
    }

    private static Object value(CommandLine cl, String option) {
        OptionSpec o = cl.getCommandSpec().findOption(option);
        assertTrue(o != null, "Train has no option " + option);
        return o.getValue();
    }

    /** Runs {@code args} up to the point where Spark would start; true when it got there. */
    private static boolean passesValidation(String... args) {
        Run r;
        try {
            r = run(args);
        } catch (AssertionError e) {
            if (e.getMessage().startsWith("Spark was started")) {
                return true;
            }
            throw e;
        }
        assertEquals(2, r.exit(), r.err());
        return false;
    }

    record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = Train.run(noSpark(new PrintStream(out, true, StandardCharsets.UTF_8)),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Run(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * Every boolean option of every subcommand, and whether it is negatable ({@code --[no-]x}): a
     * negatable one is on by default, the others off.
     */
    private static final Map<String, Map<String, Boolean>> BOOLEANS = Map.of(
            "train", Map.of("--header", false, "--standardize", true, "--resume", false, "--overwrite", false),
            "predict", Map.of("--header", false, "--overwrite", false),
            "evaluate", Map.of("--header", false));

    /** What each subcommand requires, so that a command line of one more option parses. */
    private static final Map<String, List<String>> REQUIRED = Map.of("train", List.of(),
            "predict", List.of("--model-path", "m", "--data", "d", "--output", "o"),
            "evaluate", List.of("--model-path", "m", "--data", "d"));

    /** A fresh command line of the subcommand {@code name}, configured as the CLI does, that fails if it starts Spark. */
    private static CommandLine subcommand(String name, PrintStream out, PrintStream err) {
        switch (name) {
            case "train":
                return Train.commandLine(noSpark(out), err);
            case "predict":
                return Cli.configure(new CommandLine(new Predict(out, failingSessions())), out, err);
            case "evaluate":
                return Cli.configure(new CommandLine(new Evaluate(out, failingSessions())), out, err);
            default:
                throw new AssertionError("no subcommand " + name);
        }
    }

    /** The value of {@code option} after parsing the subcommand's required options and {@code args}. */
    private static Object valueIn(String subcommand, String option, String... args) {
        CommandLine cl = subcommand(subcommand, System.out, System.err);
        List<String> a = new java.util.ArrayList<>(REQUIRED.get(subcommand));
        a.addAll(List.of(args));
        cl.parseArgs(a.toArray(new String[0]));
        return value(cl, option);
    }

    @Test
    void everyBooleanOptionOfEverySubcommandIsCoveredHere() {
        Set<String> subcommands = new TreeSet<>(Cli.SUBCOMMANDS);
        subcommands.remove("help");
        assertEquals(subcommands, new TreeSet<>(BOOLEANS.keySet()));
        for (String name : subcommands) {
            Map<String, Boolean> found = new java.util.TreeMap<>();
            for (OptionSpec o : subcommand(name, System.out, System.err).getCommandSpec().options()) {
                if ((o.type() == boolean.class || o.type() == Boolean.class) && !o.usageHelp() && !o.versionHelp()) {
                    found.put(o.longestName(), o.negatable());
                }
            }
            assertEquals(new java.util.TreeMap<>(BOOLEANS.get(name)), found, name + "'s boolean options (negatable)");
        }
    }

    @Test
    void everyBooleanHasItsDefaultIsOnWhenGivenAndHasANoSpellingOnlyWhenNegatable() {
        for (String name : BOOLEANS.keySet()) {
            for (Map.Entry<String, Boolean> b : BOOLEANS.get(name).entrySet()) {
                String option = b.getKey();
                boolean negatable = b.getValue();
                String no = "--no-" + option.substring(2);
                String what = name + " " + option;
                assertEquals(negatable, valueIn(name, option), what + " by default");
                assertEquals(true, valueIn(name, option, option), what);
                if (negatable) {
                    assertEquals(false, valueIn(name, option, no), name + " " + no);
                    continue;
                }
                // not negatable: --no-x is an unknown option, reported as one error line before Spark starts
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                ByteArrayOutputStream err = new ByteArrayOutputStream();
                List<String> a = new java.util.ArrayList<>(REQUIRED.get(name));
                a.add(no);
                int rc = subcommand(name, new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8)).execute(a.toArray(new String[0]));
                assertEquals(2, rc, name + " " + no + ": " + err);
                assertEquals("error: Unknown option: '" + no + "'", err.toString(StandardCharsets.UTF_8).strip(), name);
                assertEquals("", out.toString(StandardCharsets.UTF_8), name);
            }
        }
    }

    @Test
    void standardizeIsOnByDefaultAndNoStandardizeTurnsItOff() {
        assertEquals(true, value("--standardize"));
        assertEquals(true, value("--standardize", "--standardize"));
        assertEquals(false, value("--standardize", "--no-standardize"));
        Run both = run("--standardize", "--no-standardize"); // contradictory: refused, not silently resolved
        assertEquals(2, both.exit());
        assertEquals("error: option '--standardize' should be specified only once", both.err().strip());
        String help = run("--help").out();
        assertTrue(help.contains("--[no-]standardize"), help);
    }

    @Test
    void theLabelOptionsHaveNamesThatCannotBeConfused() {
        assertEquals(-1, value("--label-index"));
        assertEquals(0, value("--label-index", "--label-index", "0"));
        assertEquals("y", value("--label-col", "--format", "parquet", "--label-col", "y"));
        CommandLine old = parsed("--label-column", "2", "--output", "unused");
        ((Train) old.getCommand()).validate();
        assertEquals(2, value(old, "--label-index")); // the old spelling still works, hidden from --help
        String help = run("--help").out();
        assertTrue(help.contains("--label-index"), help);
        assertFalse(help.contains("--label-column"), help);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "--lr 0                            | error: --lr must be a positive number, got 0.0",
        "--lr -0.1                         | error: --lr must be a positive number, got -0.1",
        "--lr NaN                          | error: --lr must be a positive number, got NaN",
        "--lr abc                          | error: Invalid value for option '--lr': 'abc' is not a double",
        "--epochs 0                        | error: --epochs must be at least 1, got 0",
        "--partitions 0                    | error: --partitions must be at least 1, got 0",
        "--batch-size -1                   | error: --batch-size must be 0 (full batch) or more, got -1",
        "--micro-batch 0                   | error: --micro-batch must be at least 1, got 0",
        "--tree-depth 0                    | error: --tree-depth must be at least 1, got 0",
        "--test-fraction 1                 | error: --test-fraction must be in [0, 1), got 1.0",
        "--momentum 1                      | error: --momentum must be in [0, 1), got 1.0",
        "--weight-decay -1                 | error: --weight-decay must be 0 or more, got -1.0",
        "--clip -1                         | error: --clip must be 0 (off) or more, got -1.0",
        "--classes 1                       | error: --classes must be at least 2, got 1",
        "--checkpoint-every 0              | error: --checkpoint-every must be at least 1, got 0",
        "--keep-checkpoints -1             | error: --keep-checkpoints must be 0 (keep all) or more, got -1",
        "--log-every -1                    | error: --log-every must be 0 (every 10 s) or more, got -1",
        "--validation-fraction 1           | error: --validation-fraction must be in [0, 1), got 1.0",
        "--validation-fraction -0.1        | error: --validation-fraction must be in [0, 1), got -0.1",
        "--validation-fraction 0.5 --test-fraction 0.5 | error: --validation-fraction 0.5 and --test-fraction 0.5 leave no training rows; their sum must be below 1",
        "--num-features 0                  | error: --num-features must be at least 1, got 0",
        "--num-features 524288             | error: --num-features must be at most 524287 (dense rows), got 524288",
        "--format libsvm --data d --num-features 2147483647 | error: --num-features must be at most 524287 (dense rows), got 2147483647",
        "--model mlp:64,x                  | error: --model 'mlp:64,x': layer width 'x' is not a number",
        "--model mlp:0                     | error: --model 'mlp:0': layer width 0 must be positive",
        "--model cnn                       | error: --model 'cnn': expected 'logreg', 'mlp:W1,W2,...,OUT' or 'class:NAME' (a ModelFactory class)",
        "--model class:1bad                | error: --model 'class:1bad': '1bad' is not a class name",
        "--loss hinge                      | error: --loss 'hinge': expected softmax_cross_entropy (or softmax), bce_with_logits (or bce), mse",
        "--optimizer rmsprop               | error: --optimizer 'rmsprop': expected adam, adamw, sgd, lbfgs or owlqn",
        "--optimizer lbfgs --batch-size 64 | error: --optimizer lbfgs is full batch; --batch-size 64 is a mini-batch (give 0, or leave --batch-size out)",
        "--optimizer LBFGS --batch-size 1  | error: --optimizer LBFGS is full batch; --batch-size 1 is a mini-batch (give 0, or leave --batch-size out)",
        "--optimizer lbfgs --lr 0.1        | error: --optimizer lbfgs takes no --lr (it is for adam, adamw and sgd)",
        "--optimizer lbfgs --momentum 0.5  | error: --optimizer lbfgs takes no --momentum (it is for adam, adamw and sgd)",
        "--optimizer lbfgs --weight-decay 0.1 | error: --optimizer lbfgs takes no --weight-decay (it is for adam, adamw and sgd)",
        "--optimizer lbfgs --schedule cosine | error: --optimizer lbfgs takes no --schedule (it is for adam, adamw and sgd)",
        "--optimizer owlqn --l1 0.1 --clip 1 | error: --optimizer owlqn takes no --clip (it is for adam, adamw and sgd)",
        "--optimizer owlqn                 | error: --optimizer owlqn needs --l1 > 0 (its L1 penalty); for none use --optimizer lbfgs",
        "--optimizer owlqn --l1 -1         | error: --l1 must be 0 or more, got -1.0",
        "--l2 -1                           | error: --l2 must be 0 or more, got -1.0",
        "--optimizer lbfgs --l1 0.1        | error: --l1 is the L1 term of --optimizer owlqn; this run uses --optimizer lbfgs",
        "--l1 0.1                          | error: --l1 is the L1 term of --optimizer owlqn; this run uses --optimizer adam",
        "--schedule linear                 | error: --schedule 'linear': expected constant, step:EVERY:GAMMA or cosine[:WARMUP]",
        "--format xml --data d             | error: --format 'xml': expected csv, libsvm or parquet",
        "--format parquet                  | error: --format parquet needs --data (the bundled data set is CSV)",
        "--resume                          | error: --resume needs --checkpoint-dir (the directory to resume from)",
        "--weight-col w                    | error: --weight-col needs --format parquet",
        "--label-col y                     | error: --label-col names a Parquet column; for --format csv give the label's field index with --label-index",
        "--format parquet --data d --label-index 0 | error: --label-index is a CSV field's index; for --format parquet name the label column with --label-col",
        "--format parquet --data d --header | error: --header is for CSV; this run reads --format parquet",
        "--label-column 1 --label-index 2  | error: --label-column is the old name of --label-index; give only --label-index",
        "--frobnicate                      | error: Unknown option: '--frobnicate'",
    })
    void aBadOptionIsOneErrorLineNamingItWithExitCode2BeforeSparkStarts(String args, String expected, @TempDir Path tmp) {
        List<String> a = new java.util.ArrayList<>(List.of(args.trim().split("\\s+")));
        a.addAll(List.of("--output", tmp.resolve("o").toString()));
        Run r = run(a.toArray(new String[0]));
        assertEquals(2, r.exit(), r.err());
        assertEquals(expected, r.err().strip(), "stderr: " + r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertEquals("", r.out());
    }

    /** L-BFGS is full batch: the first-order default --batch-size does not apply to it, an explicit 0 is fine. */
    @Test
    void lbfgsAndOwlqnPassWithoutABatchSizeOrWithZero(@TempDir Path tmp) {
        String o = tmp.resolve("o").toString();
        assertTrue(passesValidation("--optimizer", "lbfgs", "--output", o));
        assertTrue(passesValidation("--optimizer", "lbfgs", "--batch-size", "0", "--epochs", "50", "--output", o));
        assertTrue(passesValidation("--optimizer", "owlqn", "--l1", "0.01", "--output", o));
        assertTrue(passesValidation("--optimizer", "sgd", "--batch-size", "64", "--lr", "0.1", "--output", o));
        String help = run("--help").out().replaceAll("\\s+", " ");
        assertTrue(help.contains("adam | adamw | sgd | lbfgs | owlqn"), help);
        assertTrue(help.contains("--l1=<l1>"), help);
    }

    /**
     * --loss takes exactly the names of the Spark ML estimator's loss param, LossKind's table (the
     * canonical names and the short aliases, in any case), and --help lists them all.
     */
    @Test
    void lossTakesTheEstimatorsLossNames(@TempDir Path tmp) {
        assertEquals(List.of("softmax_cross_entropy", "softmax", "bce_with_logits", "bce", "mse"),
                List.of(io.sparkgrad.spark.LossKind.allNames()));
        assertEquals(List.of(io.sparkgrad.spark.LossKind.allNames()), List.of(io.sparkgrad.ml.SharedParams.LOSSES));
        for (String name : io.sparkgrad.spark.LossKind.allNames()) {
            assertTrue(passesValidation("--loss", name, "--output", tmp.resolve("o").toString()), name);
            assertTrue(passesValidation("--loss", name.toUpperCase(java.util.Locale.ROOT), "--output", tmp.resolve("o").toString()), name);
            new io.sparkgrad.ml.SparkGradEstimator().setLoss(name); // the estimator's param validator takes it too
        }
        String loss = String.join(" ", new CommandLine(parse()).getCommandSpec().findOption("--loss").description());
        for (String name : io.sparkgrad.spark.LossKind.allNames()) {
            assertTrue(loss.matches(".*\\b" + name + "\\b.*"), name + " in " + loss);
        }
        assertEquals("softmax", value("--loss"));
    }

    @Test
    void helpShowsTheDefaultOfEveryOption() {
        Run r = run("--help");
        assertEquals(0, r.exit(), r.err());
        String help = r.out().replaceAll("\\s+", " "); // picocli wraps long lines
        assertFalse(help.contains("${"), help);
        for (OptionSpec o : new CommandLine(parse()).getCommandSpec().options()) {
            if (o.usageHelp() || o.versionHelp() || o.hidden()) {
                continue;
            }
            String text = String.join(" ", o.description());
            assertTrue(text.contains("(default: "), o.longestName() + " shows no default: " + text);
            if (o.defaultValue() != null && text.contains("${DEFAULT-VALUE}")) {
                assertTrue(help.contains("(default: " + o.defaultValue()), o.longestName() + " in " + help);
            }
        }
        for (String[] d : new String[][] {{"--seed", "42"}, {"--checkpoint-every", "50"}, {"--micro-batch", "512"}}) {
            assertTrue(help.matches(".*" + d[0] + "=<[^>]+> [^-]*\\(default: " + d[1] + "\\).*"), d[0] + " in " + help);
        }
    }

    @Test
    void anOutputHoldingAnEarlierRunIsRefusedUnlessOverwriteOrResume(@TempDir Path tmp) throws Exception {
        Path o = tmp.resolve("run");
        Files.createDirectories(o.resolve("model"));
        Files.writeString(o.resolve("model").resolve("ckpt-000000360"), "old");
        Files.writeString(o.resolve("metrics.csv"), "step,loss\n1,0.5\n");
        Files.writeString(o.resolve("notes.txt"), "mine");

        Run refused = run("--output", o.toString());
        assertEquals(2, refused.exit());
        assertEquals("error: --output " + o + " already holds an earlier run (model, metrics.csv); pass --overwrite to"
                + " replace it, or choose another directory", refused.err().strip());
        assertTrue(Files.exists(o.resolve("metrics.csv")));

        // a resumed run continues the earlier one's output
        assertTrue(passesValidation("--output", o.toString(), "--resume", "--checkpoint-dir", tmp.resolve("c").toString()));
        assertTrue(Files.exists(o.resolve("metrics.csv")));

        assertTrue(passesValidation("--output", o.toString(), "--overwrite"));
        assertFalse(Files.exists(o.resolve("model")));
        assertFalse(Files.exists(o.resolve("metrics.csv")));
        assertEquals("mine", Files.readString(o.resolve("notes.txt"))); // only what a run writes is removed

        Files.writeString(tmp.resolve("file"), "x");
        Run file = run("--output", tmp.resolve("file").toString());
        assertEquals("error: --output " + tmp.resolve("file") + " is a file, not a directory", file.err().strip());
        // an empty or unrelated directory is fine
        assertTrue(passesValidation("--output", o.toString()));
    }

    /** Every Train command line in the README parses (so a renamed option cannot linger there). */
    @Test
    void theReadmeCommandLinesParse() throws Exception {
        List<String> lines = Files.readAllLines(Path.of(System.getProperty("sparkgrad.repo", "..")).resolve("README.md"));
        int checked = 0;
        java.util.Set<String> subcommands = new java.util.TreeSet<>();
        for (String line : lines) {
            if (!line.startsWith("./spark-submit.sh") || line.contains("--class")) {
                continue;
            }
            String cmd = line.replaceAll("\\s+#.*$", "");
            List<String> args = new java.util.ArrayList<>(List.of(cmd.trim().split("\\s+")));
            args.remove(0);
            for (int i = args.indexOf("--master"); i >= 0; i = args.indexOf("--master")) {
                args.subList(i, i + 2).clear(); // spark-submit's own option
            }
            String[] a = Cli.withSubcommand(args.toArray(new String[0]));
            boolean sub = Cli.SUBCOMMANDS.contains(a[0]); // else top-level help, which train's own --help parses too
            String[] rest = sub ? Arrays.copyOfRange(a, 1, a.length) : a;
            String name = sub ? a[0] : "train";
            assertTrue(BOOLEANS.containsKey(name), line);
            CommandLine cl = subcommand(name, System.out, System.err);
            cl.parseArgs(rest); // throws on an unknown option or a bad value
            subcommands.add(name);
            checked++;
        }
        assertTrue(checked >= 5, "README Train command lines found: " + checked);
        assertEquals(java.util.Set.of("evaluate", "predict", "train"), subcommands, "the README's round trip");
    }
}
