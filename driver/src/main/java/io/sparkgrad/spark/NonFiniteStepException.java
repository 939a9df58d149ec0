package io.sparkgrad.spark;

/** Training stopped because steps kept producing a non-finite gradient or loss; the message says where. */
public class NonFiniteStepException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public NonFiniteStepException(String message) {
        super(message);
    }
}
