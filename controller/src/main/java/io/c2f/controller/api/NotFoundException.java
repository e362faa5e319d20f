package io.c2f.controller.api;

/** What the request names does not exist (404). */
public class NotFoundException extends ApiException {
    public NotFoundException(String message) {
        super(404, message);
    }
}
