package io.c2f.controller.api;

/** The request is well-formed but what it carries cannot be used, e.g. a model or schedule the registry refuses (422). */
public class UnprocessableException extends ApiException {
    public UnprocessableException(String message) {
        super(422, message);
    }
}
