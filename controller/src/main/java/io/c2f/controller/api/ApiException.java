package io.c2f.controller.api;

/**
 * A request the API refuses, with the HTTP status that says whose fault it is and a message for
 * the caller. Routes fail their futures with one of the subclasses; {@link Responses#fail} is the
 * one place that turns them into responses (anything else is the controller's own failure).
 */
public abstract class ApiException extends RuntimeException {
    private final int status;

    protected ApiException(int status, String message) {
        // no stack trace: a refused request is an answer, not a fault to debug
        super(message, null, false, false);
        this.status = status;
    }

    public final int status() {
        return status;
    }
}
