package io.c2f.agent.bundle;

/**
 * An installed bundle cannot run on this device: its model does not load (a missing op, no usable
 * delegate, a damaged file) or fails when run. The message says why; it is what the controller is
 * told.
 */
public class BundleOpenException extends Exception {
    public BundleOpenException(String message) {
        super(message);
    }

    public BundleOpenException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * A machine-readable reason the controller can act on (reported in the job status details
     * under {@code refusal}), or empty when the message is all there is.
     */
    public String refusal() {
        return "";
    }
}
