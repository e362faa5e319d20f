package io.c2f.controller.generate;

/** A generate request that failed for a reason the HTTP status names (404, 409, 502, 504, ...). */
public final class GenerateFailure extends RuntimeException {
    private final int status;

    public GenerateFailure(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
