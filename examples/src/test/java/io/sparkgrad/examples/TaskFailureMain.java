package io.sparkgrad.examples;

import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * A child-JVM main for {@link CliProcessTest}: a Spark job whose task fails with an internal error
 * (an IllegalStateException), run through {@link Cli#configure} as every subcommand is.
 */
@Command(name = "task-failure")
public final class TaskFailureMain implements Callable<Integer> {
    public static void main(String[] args) {
        System.exit(Cli.configure(new CommandLine(new TaskFailureMain()), System.out, System.err).execute(args));
    }

    @Override
    public Integer call() {
        SparkSession spark = Cli.session("task-failure", "spark.master=local[1]", "spark.ui.enabled=false");
        JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(List.of(1, 2), 1).map(i -> {
            if (i == 2) {
                throw new IllegalStateException("internal: a task broke");
            }
            return i;
        }).collect();
        return 0;
    }
}
