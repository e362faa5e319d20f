package io.c2f.controller.enrol;

import io.c2f.controller.broker.EmbeddedBroker;
import io.vertx.core.Future;

/** Enrolment on the controller's own broker: its live device accounts and bootstrap tokens, in memory. */
public final class EmbeddedAdmission implements BrokerAdmission {
    private final EmbeddedBroker broker;

    public EmbeddedAdmission(EmbeddedBroker broker) {
        this.broker = broker;
    }

    @Override
    public Future<Void> tokenUsable(TokenRecord token, String secret) {
        broker.grantEnrolmentToken(token.id(), token.secretSha256(), token.expiresMs());
        return Future.succeededFuture();
    }

    @Override
    public Future<Void> tokenUnusable(String tokenId) {
        return broker.withdrawEnrolmentToken(tokenId).mapEmpty();
    }

    @Override
    public Future<Void> tokenUsedUp(String tokenId) {
        broker.refuseEnrolmentToken(tokenId);
        return Future.succeededFuture();
    }

    @Override
    public boolean deviceIdTaken(String deviceId) {
        return broker.knowsDevice(deviceId);
    }

    @Override
    public Future<Void> devicePending(String deviceId, String credential) {
        return Future.succeededFuture(); // the broker reads the controller's hash on acceptance
    }

    @Override
    public Future<Void> deviceAccepted(String deviceId, String credentialHash) {
        if (!broker.admitDevice(deviceId, credentialHash)) {
            return Future.failedFuture(new IllegalStateException("device id '" + deviceId
                    + "' is in broker.credentials.file: enrolment does not replace it"));
        }
        return Future.succeededFuture();
    }

    @Override
    public Future<Void> deviceRevoked(String deviceId) {
        return broker.revokeDevice(deviceId).mapEmpty();
    }

    @Override
    public String kind() {
        return "embedded";
    }
}
