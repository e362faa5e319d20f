package io.c2f.controller.bundle;

/**
 * A request the bundle or rollout services refuse, with the reason in its message. The kind says
 * whose fault it is, so the HTTP layer can answer 400, 404 or 409.
 */
public final class RequestException extends RuntimeException {
    /** Why a request was refused. */
    public enum Kind {
        INVALID, NOT_FOUND, CONFLICT
    }

    private final Kind kind;

    private RequestException(Kind kind, String message) {
        super(message);
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
