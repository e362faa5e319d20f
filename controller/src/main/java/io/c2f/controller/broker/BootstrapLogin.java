package io.c2f.controller.broker;

import io.c2f.proto.enrol.EnrolmentToken;
import io.c2f.proto.topic.Topics;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import java.util.function.LongSupplier;

/**
 * The enrolment bootstrap login: username {@code enrol.{tokenId}}, password the token's secret,
 * client id the device id the device asks for. Admitted only with a usable token (granted, not
 * expired: revoked and used-up tokens are withdrawn from {@link BootstrapTokens}), and only for a
 * valid device id that is no device's yet: a token holder must not take over an enrolled device's
 * session (the broker also refuses it while a device of that id is connected).
 */
final class BootstrapLogin {
    private final BootstrapTokens tokens;
    private final DeviceAccounts devices;
    private final LongSupplier clock;

    BootstrapLogin(BootstrapTokens tokens, DeviceAccounts devices, LongSupplier clock) {
        this.tokens = tokens;
        this.devices = devices;
        this.clock = clock;
    }

    Identity authenticate(String clientId, String user, byte[] password) throws LoginRefusedException {
        String tokenId = EnrolmentToken.tokenIdOf(user);
        if (!Topics.isValidId(clientId) || EnrolmentToken.isBootstrapUsername(clientId)) {
            throw new LoginRefusedException(MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED,
                    "an enrolment login's client id must be the device id asked for (1-64 characters of "
                            + "[A-Za-z0-9_.-], not starting with '" + EnrolmentToken.USERNAME_PREFIX + "')");
        }
        if (devices.knows(clientId)) {
            throw new LoginRefusedException(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED,
                    "device id '" + clientId + "' is enrolled already: it logs in with its own credential");
        }
        String refused = tokens.refusal(tokenId, password, clock.getAsLong());
        if (refused != null) {
            throw new LoginRefusedException(MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD,
                    refused);
        }
        return new Identity(clientId, user, Identity.Role.BOOTSTRAP);
    }
}
