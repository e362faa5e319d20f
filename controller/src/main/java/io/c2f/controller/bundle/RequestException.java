package io.c2f.controller.bundle;

import io.c2f.controller.api.ApiException;

/**
 * A request the bundle or rollout services refuse, with the reason in its message. The kind says
 * whose fault it is; as an {@link ApiException} it answers 400, 404 or 409.
 */
public final class RequestException extends ApiException {
    /** Why a request was refused, with its HTTP status. */
    public enum Kind {
        INVALID(400), NOT_FOUND(404), CONFLICT(409);

        private final int status;

        Kind(int status) {
            this.status = status;
        }
    }

    private final Kind kind;

    private RequestException(Kind kind, String message) {
        super(kind.status, message);
        this.kind = kind;
    }

    public static RequestException invalid(String message) {
        return new RequestException(Kind.INVALID, message);
    }

    public static RequestException notFound(String message) {
        return new RequestException(Kind.NOT_FOUND, message);
    }

    public static RequestException conflict(String message) {
        return new RequestException(Kind.CONFLICT, message);
    }

    public Kind kind() {
        return kind;
    }
}
