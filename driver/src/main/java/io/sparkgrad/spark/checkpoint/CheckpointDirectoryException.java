package io.sparkgrad.spark.checkpoint;

/**
 * A run's checkpoint directory cannot serve it: it already holds a checkpoint of a step the run
 * writes (an earlier run's, when this one does not resume), its checkpoints were made with another
 * seed, or it cannot be opened, read or written. These are problems of the directory the user
 * chose, not of the program: the message names the directory and the cause, and a command line
 * reports it as one error line. The cause, if any, is the underlying exception.
 */
public class CheckpointDirectoryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CheckpointDirectoryException(String message) {
        super(message);
    }

    public CheckpointDirectoryException(String message, Throwable cause) {
        super(message, cause);
    }
}
