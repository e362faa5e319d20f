package io.c2f.agent.bundle;

/**
 * An installed bundle cannot run on this device: its model does not load (a missing op, no usable
 * delegate, a damaged file) or fails when run. The message says why; it is what the controller is
 * told.
 */
public final class BundleOpenException extends Exception {
    public BundleOpenException(String message) {
        super(message);
    }

    public BundleOpenException(String message, Throwable cause) {
        super(message, cause);
    }
}
