package io.c2f.controller.api;

/** The controller cannot take more of this work now; the caller may retry later (429). */
public class TooManyRequestsException extends ApiException {
    public TooManyRequestsException(String message) {
        super(429, message);
    }
}
