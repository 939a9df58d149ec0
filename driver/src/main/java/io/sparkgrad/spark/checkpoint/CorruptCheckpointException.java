package io.sparkgrad.spark.checkpoint;

import java.io.IOException;
import java.util.Objects;

/**
 * A checkpoint file that cannot be trusted: wrong magic bytes, an unsupported format version, a
 * checksum mismatch, a truncated file, or a length or count that does not fit the file. The message
 * names the file and what is wrong with it.
 */
public class CorruptCheckpointException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final String reason;

    public CorruptCheckpointException(String file, String reason) {
        this(file, reason, null);
    }

    public CorruptCheckpointException(String file, String reason, Throwable cause) {
        super("corrupt checkpoint " + file + ": " + reason, cause);
        this.file = Objects.requireNonNull(file);
        this.reason = Objects.requireNonNull(reason);
    }

    /** The file, as a path string. */
    public String file() {
        return file;
    }

    /** What is wrong, without the file name, e.g. {@code checksum mismatch: ...}. */
    public String reason() {
        return reason;
    }
}
