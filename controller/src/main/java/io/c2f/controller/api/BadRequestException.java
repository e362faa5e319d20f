package io.c2f.controller.api;

/** The request is malformed or names something it may not (400). */
public class BadRequestException extends ApiException {
    public BadRequestException(String message) {
        super(400, message);
    }
}
