package io.c2f.controller.model;

/** A model or schedule the registry refuses; the message says what was wrong. */
public final class ModelException extends RuntimeException {
    public ModelException(String message) {
        super(message);
    }

    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
