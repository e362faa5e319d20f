package io.c2f.models.tflite;

/** A {@link DelegateLink} cannot run; the message is the reason recorded in its {@link LinkOutcome}. */
class LinkException extends Exception {
    private final LinkOutcome.Status status;

    private LinkException(LinkOutcome.Status status, String reason, Throwable cause) {
        super(reason, cause);
        this.status = status;
    }

    /** The link is not present on this platform (library or symbol missing). */
    public static LinkException unavailable(String reason) {
        return new LinkException(LinkOutcome.Status.UNAVAILABLE, reason, null);
    }

    public static LinkException unavailable(String reason, Throwable cause) {
        return new LinkException(LinkOutcome.Status.UNAVAILABLE, reason, cause);
    }

    /** The link is present but failed (e.g. its create function returned NULL). */
    public static LinkException failed(String reason) {
        return new LinkException(LinkOutcome.Status.FAILED, reason, null);
    }

    public LinkOutcome.Status status() {
        return status;
    }
}
