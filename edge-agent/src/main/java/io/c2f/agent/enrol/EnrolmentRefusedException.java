package io.c2f.agent.enrol;

/**
 * The enrolment ended without a credential: the controller rejected the request (its reason is in
 * the message), or the broker refused the token's bootstrap login again and again (unknown, revoked,
 * expired or used-up token). The device stops; retrying would only repeat the refusal.
 */
public final class EnrolmentRefusedException extends Exception {
    /** Who refused. */
    public enum By {
        /** An EnrolmentAnswer with status REJECTED. */
        CONTROLLER,
        /** CONNACK "bad user name or password" / "not authorized" for the bootstrap login. */
        BROKER
    }

    private final By by;
    private final String reason;

    public EnrolmentRefusedException(By by, String reason, String message) {
        super(message);
        this.by = by;
        this.reason = reason;
    }

    public By by() {
        return by;
    }

    /** The reason as the controller gave it (or the broker's refusal). */
    public String reason() {
        return reason;
    }
}
