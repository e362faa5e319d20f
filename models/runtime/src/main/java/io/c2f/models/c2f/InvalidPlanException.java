package io.c2f.models.c2f;

/** A C2F plan is not valid (for a model); the message names the offending value. */
public class InvalidPlanException extends IllegalArgumentException {
    public InvalidPlanException(String message) {
        super(message);
    }
}
