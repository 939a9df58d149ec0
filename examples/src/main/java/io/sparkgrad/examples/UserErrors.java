package io.sparkgrad.examples;

import io.sparkgrad.spark.BadDataException;
import io.sparkgrad.spark.NonFiniteStepException;
import io.sparkgrad.spark.checkpoint.CheckpointDirectoryException;
import io.sparkgrad.spark.checkpoint.CorruptCheckpointException;
import java.io.FileNotFoundException;

/**
 * Which failures are the user's to fix, and the one line that says so. A user error is printed as
 * {@code error: <line>} with exit code 2 and no trace; anything else is an internal error (its
 * trace, exit code 1).
 *
 * <p>User errors: bad data or labels ({@link BadDataException}, also when Spark carries it from a
 * task, as a cause or only inside a message), bad options ({@link UsageException}, picocli's own,
 * {@link IllegalArgumentException}), a corrupt checkpoint that cannot be recovered from, a
 * checkpoint directory that cannot be used, a missing file or path, a column type of the input
 * ({@code org.apache.spark.sql.*}) that Kryo is not set up for, and a step whose loss or gradient
 * is not finite. Kryo refusing any other class is SparkGrad's bug: an internal error.
 */
final class UserErrors {
    private UserErrors() {
    }

    /** The one line for {@code e} when it is a user error, else null. */
    static String message(Throwable e) {
        BadDataException bad = BadDataException.find(e);
        if (bad != null) {
            return firstLine(bad.getMessage());
        }
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof UsageException || t instanceof NonFiniteStepException
                    || t instanceof CheckpointDirectoryException || t instanceof CorruptCheckpointException
                    || t instanceof FileNotFoundException || isMissingInput(t)) {
                return firstLine(t.getMessage());
            }
            String m = t.getMessage();
            String unregistered = "Class is not registered: ";
            int at = m == null ? -1 : m.indexOf(unregistered);
            String c = at < 0 ? "" : firstLine(m.substring(at + unregistered.length()));
            if (c.startsWith("org.apache.spark.sql.")) { // Kryo, for a column type of the input; else a bug
                return "the input holds values of type " + c
                        + ", which SparkGrad cannot read; use numeric columns (a vector or an array of numbers)";
            }
        }
        if (e instanceof IllegalArgumentException) {
            return firstLine(e.getMessage());
        }
        return null;
    }

    /** Hadoop's and Spark SQL's "input path does not exist". */
    private static boolean isMissingInput(Throwable t) {
        String name = t.getClass().getName();
        String m = t.getMessage() == null ? "" : t.getMessage();
        return name.equals("org.apache.hadoop.mapreduce.lib.input.InvalidInputException")
                || name.equals("org.apache.hadoop.mapred.InvalidInputException")
                || (name.equals("org.apache.spark.sql.AnalysisException")
                        && (m.contains("PATH_NOT_FOUND") || m.contains("Path does not exist")
                                || m.contains("UNABLE_TO_INFER_SCHEMA")));
    }

    static String firstLine(String s) {
        if (s == null) {
            return "(no message)";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }
}
