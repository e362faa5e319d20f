package io.c2f.controller.api;

/** The request clashes with what is stored: the id exists, or the thing is not in a state that allows it (409). */
public class ConflictException extends ApiException {
    public ConflictException(String message) {
        super(409, message);
    }
}
