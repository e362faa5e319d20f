package io.c2f.controller.broker;

import io.c2f.proto.enrol.EnrolmentToken;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.vertx.mqtt.MqttAuth;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Checks a CONNECT's credentials: the controller's admin user (constant-time password compare), a
 * device (username = client id, password checked against {@link DeviceAccounts}: PBKDF2, so
 * call this off the event loop), an enrolment bootstrap login ({@link BootstrapLogin}, username
 * {@code enrol.{tokenId}}), or anyone when anonymous development mode is configured.
 */
final class Login {
    private final boolean allowAnonymous;
    private final String adminUser;
    private final byte[] adminPassword;
    private final DeviceAccounts devices;
    private final BootstrapLogin bootstrap;

    Login(boolean allowAnonymous, String adminUser, String adminPassword, DeviceAccounts devices,
            BootstrapLogin bootstrap) {
        this.allowAnonymous = allowAnonymous;
        this.adminUser = adminUser;
        this.adminPassword = adminPassword.getBytes(StandardCharsets.UTF_8);
        this.devices = devices;
        this.bootstrap = bootstrap;
    }

    Identity authenticate(String clientId, MqttAuth auth) throws LoginRefusedException {
        String user = auth == null ? null : auth.getUsername();
        if (allowAnonymous) {
            return new Identity(clientId, user, Identity.Role.ANONYMOUS);
        }
        if (auth == null || user == null) {
            throw new LoginRefusedException(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED,
                    "no username and password (anonymous access is off)");
        }
        byte[] password = auth.getPassword() == null ? new byte[0] : auth.getPassword().getBytes(StandardCharsets.UTF_8);
        if (EnrolmentToken.isBootstrapUsername(user) && !user.equals(adminUser)) {
            return bootstrap.authenticate(clientId, user, password);
        }
        if (!adminUser.isEmpty() && adminUser.equals(user)) {
            if (MessageDigest.isEqual(adminPassword, password)) {
                return new Identity(clientId, user, Identity.Role.ADMIN);
            }
        } else if (user.equals(clientId) && devices.check(user, password)) {
            return new Identity(clientId, user, Identity.Role.DEVICE);
        }
        throw new LoginRefusedException(MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD,
                user.equals(clientId) || user.equals(adminUser) ? "wrong username or password"
                        : "wrong username or password (a device's username must be its client id)");
    }
}
