package io.sparkgrad.spark;

/**
 * Training data that cannot be used as it is: a malformed line, a non-finite value, a label out of
 * range, a wrong feature count, an empty data set. The message names where: the file, line and
 * field, or the partition and row. Thrown before any training step, so nothing is lost.
 */
public class BadDataException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public BadDataException(String message) {
        super(message);
    }

    /**
     * The BadDataException behind {@code e}, if one is in its cause chain (Spark wraps an
     * exception thrown inside a task in a {@code SparkException}), else null.
     */
    public static BadDataException find(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof BadDataException) {
                return (BadDataException) t;
            }
        }
        return null;
    }
}
