package io.c2f.proto.bundle;

/** A bundle, manifest, chunk or signature failed verification; the message says which and how. */
public final class BundleVerificationException extends Exception {
    public BundleVerificationException(String message) {
        super(message);
    }

    public BundleVerificationException(String message, Throwable cause) {
        super(message, cause);
    }
}
