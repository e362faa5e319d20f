package io.c2f.controller.generate;

import io.c2f.controller.api.ApiException;

/** A generate request that failed for a reason the HTTP status names (404, 409, 502, 504, ...). */
final class GenerateFailure extends ApiException {
    public GenerateFailure(int status, String message) {
        super(status, message);
    }
}
