package io.c2f.controller.enrol;

import io.vertx.core.Future;

/**
 * What enrolment changes at the broker, whichever broker it is: the embedded one
 * ({@link EmbeddedAdmission}), Mosquitto's dynamic security plugin ({@link DynsecAdmission}), or
 * none (an external broker the operator administers: {@link ManualAdmission}). Every change takes
 * effect without a broker restart; revocations close the open session.
 */
public interface BrokerAdmission {
    /**
     * The token may admit bootstrap logins ({@code enrol.{id}}). {@code secret} is the clear secret
     * when the token was just created (a broker that keeps its own password hashes needs it), null
     * when the controller restores its tokens at start.
     */
    Future<Void> tokenUsable(TokenRecord token, String secret);

    /** The token is revoked: it admits no one any more, and its open bootstrap sessions are closed. */
    Future<Void> tokenUnusable(String tokenId);

    /**
     * The token is used up: refused at CONNECT from now on, but open sessions stay (the device just
     * accepted with its last use still has to read its answer); requests on them are refused.
     */
    Future<Void> tokenUsedUp(String tokenId);

    /** Whether the broker knows the id as a device outside enrolment (e.g. {@code broker.credentials.file}). */
    boolean deviceIdTaken(String deviceId);

    /**
     * A request for the id is pending with this credential; a broker that keeps its own password
     * hashes stores it now, disabled (the controller keeps only a PBKDF2 hash).
     */
    Future<Void> devicePending(String deviceId, String credential);

    /** The device's credential is valid from now on (given as the stored PBKDF2 hash). */
    Future<Void> deviceAccepted(String deviceId, String credentialHash);

    /** The id's credential is invalid from now on (rejected, decommissioned) and its open session is closed. */
    Future<Void> deviceRevoked(String deviceId);

    /** Which broker this is, for logs and the API ("embedded", "dynsec", "manual"). */
    String kind();
}
