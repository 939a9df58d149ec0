package io.sparkgrad.examples;

import io.sparkgrad.spark.SparkGradConf;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The command line users run with {@code ./spark-submit.sh}: {@code sparkgrad <subcommand>}.
 *
 * <pre>
 *   ./spark-submit.sh                          # train the default job (digits, mlp:64,10)
 *   ./spark-submit.sh train --data x.csv ...   # the same as ./spark-submit.sh --data x.csv ...
 *   ./spark-submit.sh predict --model-path runs/x --data new.csv --output preds.csv
 *   ./spark-submit.sh evaluate --model-path runs/x --data test.csv
 * </pre>
 *
 * <p>Arguments that do not start with a subcommand's name are the {@code train} subcommand's, so
 * every earlier command line keeps working. This class owns what every subcommand shares: the
 * exit codes (0; 2 with one {@code error:} line for a user error; 1 with its trace for an internal
 * error), the Spark session and the Hadoop settings seen before Spark starts.
 */
@Command(name = "sparkgrad", mixinStandardHelpOptions = true,
        description = "SparkGrad: train differentiable models on Spark.",
        subcommands = CommandLine.HelpCommand.class)
public final class Cli implements Runnable {
    /** The subcommands' names. */
    static final Set<String> SUBCOMMANDS = Set.of("train", "predict", "evaluate", "help");

    /** The end of every {@code --help}: exit codes and how to see Spark's logs. */
    static final String[] FOOTER = {
        "",
        "Exit codes: 0 done; 2 a user error (bad data, option or path), one 'error:' line; 1 an internal error, with its trace.",
        "Spark's task-failure logs are hidden for user errors; to see them, run with SPARKGRAD_VERBOSE=1",
        "(SPARKGRAD_VERBOSE=1 ./spark-submit.sh ...) or ./spark-submit.sh --verbose ... (also spark-submit's --verbose).",
    };

    private Cli() {
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this), "a subcommand is required");
    }

    public static void main(String[] args) {
        // The process starts here: it draws its loss chart off screen and never opens a window.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        System.exit(run(System.out, System.err, args));
    }

    /** Runs {@code args}; returns the exit code. */
    static int run(PrintStream out, PrintStream err, String... args) {
        CommandLine cl = configure(new CommandLine(new Cli()), out, err);
        cl.addSubcommand("train", configure(new CommandLine(new Train(out)), out, err));
        cl.addSubcommand("predict", configure(new CommandLine(new Predict(out)), out, err));
        cl.addSubcommand("evaluate", configure(new CommandLine(new Evaluate(out)), out, err));
        return cl.execute(withSubcommand(args));
    }

    /** {@code args} with {@code train} in front unless they start with a subcommand or top-level help. */
    static String[] withSubcommand(String... args) {
        if (args.length > 0 && (SUBCOMMANDS.contains(args[0]) || args[0].equals("--version")
                || (args.length == 1 && args[0].equals("--help")) || args[0].equals("-h") && args.length == 1)) {
            return args;
        }
        String[] a = new String[args.length + 1];
        a[0] = "train";
        System.arraycopy(args, 0, a, 1, args.length);
        return a;
    }

    /** {@code cl} with SparkGrad's output streams and exit codes: user errors as one {@code error: ...} line and 2. */
    static CommandLine configure(CommandLine cl, PrintStream out, PrintStream err) {
        cl.getCommandSpec().usageMessage().footer(FOOTER);
        cl.setOut(new PrintWriter(out, true)); // --help and --version
        cl.setErr(new PrintWriter(err, true));
        cl.setParameterExceptionHandler((e, a) -> {
            PrintWriter w = e.getCommandLine().getErr();
            w.println("error: " + firstLine(e.getMessage()));
            w.flush();
            return 2;
        });
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            String user = UserErrors.message(e);
            if (user != null) {
                cmd.getErr().println("error: " + user);
                cmd.getErr().flush();
                return 2;
            }
            throw e;
        });
        return cl;
    }

    static String firstLine(String s) {
        return UserErrors.firstLine(s);
    }

    /**
     * The job's session: spark-submit's settings, else local[2] bound to loopback; SparkGrad's
     * settings ({@link SparkGradConf}), then {@code settings} ({@code key=value}) over those.
     */
    static SparkSession session(String appName, String... settings) {
        SparkConf conf = SparkGradConf.configure(new SparkConf());
        for (String kv : settings) {
            int eq = kv.indexOf('=');
            conf.set(kv.substring(0, eq), kv.substring(eq + 1));
        }
        if (!conf.contains("spark.master")) {
            conf.setMaster("local[2]");
        }
        if (conf.get("spark.master").startsWith("local")) {
            conf.setIfMissing("spark.driver.host", "127.0.0.1").setIfMissing("spark.driver.bindAddress", "127.0.0.1");
        }
        conf.setIfMissing("spark.app.name", appName);
        return SparkSession.builder().config(conf).getOrCreate();
    }

    /** Hadoop settings as the job will see them ({@code spark.hadoop.*} included), without starting Spark. */
    static Configuration hadoopConf() {
        Configuration conf = new Configuration();
        for (scala.Tuple2<String, String> kv : new SparkConf().getAll()) {
            if (kv._1().startsWith("spark.hadoop.")) {
                conf.set(kv._1().substring("spark.hadoop.".length()), kv._2());
            }
        }
        return conf;
    }
}
