package io.c2f.controller.enrol;

import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An external broker the controller does not administer ({@code broker.enrolment=none}): decisions
 * are stored and answered, but the operator must create and delete the broker logins (controller/README.md,
 * "Enrolling devices"); each change is logged as a warning saying so.
 */
public final class ManualAdmission implements BrokerAdmission {
    private static final Logger LOG = LoggerFactory.getLogger(ManualAdmission.class);

    @Override
    public Future<Void> tokenUsable(TokenRecord token, String secret) {
        if (secret != null) {
            LOG.warn("enrolment token '{}' created: create the broker login enrol.{} yourself (broker.enrolment=none)",
                    token.id(), token.id());
        }
        return Future.succeededFuture();
    }

    @Override
    public Future<Void> tokenUnusable(String tokenId) {
        LOG.warn("enrolment token '{}' no longer usable: delete the broker login enrol.{} yourself "
                + "(broker.enrolment=none)", tokenId, tokenId);
        return Future.succeededFuture();
    }

    @Override
    public Future<Void> tokenUsedUp(String tokenId) {
        return tokenUnusable(tokenId);
    }

    @Override
    public boolean deviceIdTaken(String deviceId) {
        return false;
    }

    @Override
    public Future<Void> devicePending(String deviceId, String credential) {
        return Future.succeededFuture();
    }

    @Override
    public Future<Void> deviceAccepted(String deviceId, String credentialHash) {
        LOG.warn("device '{}' accepted: give it a broker login yourself (broker.enrolment=none)", deviceId);
        return Future.succeededFuture();
    }

    @Override
    public Future<Void> deviceRevoked(String deviceId) {
        LOG.warn("device '{}' revoked: delete its broker login and close its session yourself (broker.enrolment=none)",
                deviceId);
        return Future.succeededFuture();
    }

    @Override
    public String kind() {
        return "none";
    }
}
