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
     * Rethrows {@code e} as the BadDataException behind it when there is one, else as it is.
     * Spark's Java API throws its checked {@code SparkException} without declaring it; this keeps
     * it unchanged rather than wrapping it.
     */
    public static RuntimeException unwrap(Exception e) {
        BadDataException bad = find(e);
        if (bad != null) {
            return bad;
        }
        if (e instanceof RuntimeException) {
            return (RuntimeException) e;
        }
        throw BadDataException.<RuntimeException>sneaky(e);
    }

    @SuppressWarnings("unchecked")
    private static <T extends Exception> T sneaky(Exception e) throws T {
        throw (T) e;
    }

    /**
     * The BadDataException behind {@code e}: one in its cause chain, else one named in a message
     * of the chain ({@code ...: io.sparkgrad.spark.BadDataException: f.csv:3: ...}, as Spark
     * reports a task's exception it could not deserialize), rebuilt from that message; else null.
     */
    public static BadDataException find(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof BadDataException) {
                return (BadDataException) t;
            }
        }
        String marker = BadDataException.class.getName() + ": ";
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage();
            int at = m == null ? -1 : m.indexOf(marker);
            if (at >= 0) {
                int from = at + marker.length();
                int nl = m.indexOf('\n', from);
                return new BadDataException(m.substring(from, nl < 0 ? m.length() : nl).strip());
            }
        }
        return null;
    }
}
