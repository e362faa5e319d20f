package io.c2f.controller.api;

/** The request conflicts with the current state (409). */
public class ConflictException extends ApiException {
    public ConflictException(String message) {
        super(409, message);
    }
}
