package io.c2f.agent.link.mqtt;

/** A publish was attempted while the device has no broker connection; the caller spools or drops. */
public final class NotConnectedException extends Exception {
    public NotConnectedException(String message) {
        super(message);
    }
}
