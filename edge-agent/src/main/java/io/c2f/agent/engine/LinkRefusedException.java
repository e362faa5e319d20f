package io.c2f.agent.engine;

import io.c2f.proto.v1.DelegateStatus;

/**
 * One link of the engine chain does not run the bundle here, and why: it is {@code UNAVAILABLE}
 * (nothing to try: no model file for its engine, no natives for this platform, no delegate
 * library) or it {@code FAILED} (tried: the model did not load or the probe failed).
 */
public final class LinkRefusedException extends Exception {
    private final DelegateStatus status;

    private LinkRefusedException(DelegateStatus status, String reason, Throwable cause) {
        super(reason, cause);
        this.status = status;
    }

    public static LinkRefusedException unavailable(String reason) {
        return new LinkRefusedException(DelegateStatus.DELEGATE_STATUS_UNAVAILABLE, reason, null);
    }

    public static LinkRefusedException failed(String reason, Throwable cause) {
        return new LinkRefusedException(DelegateStatus.DELEGATE_STATUS_FAILED, reason, cause);
    }

    public DelegateStatus status() {
        return status;
    }
}
