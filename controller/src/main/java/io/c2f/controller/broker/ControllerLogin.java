package io.c2f.controller.broker;

import io.c2f.controller.auth.Secrets;
import io.c2f.controller.config.ControllerConfig;
import java.util.Map;

/**
 * The controller's own login to its embedded broker. With anonymous access off and no
 * {@code mqtt.username}/{@code mqtt.password} configured, a random password is made up at each
 * start: the broker and its only admin client live in this process and start together, so it
 * never needs to be written down, logged or typed. It reaches the broker through the config
 * ({@code mqtt.username}/{@code mqtt.password}), as a configured login would.
 */
public final class ControllerLogin {
    /** The admin user's name; also the one the deploy/ ACLs give the controller's rights to. */
    public static final String GENERATED_USERNAME = "c2f-controller";

    private ControllerLogin() {
    }

    /** The config with the controller's login filled in where the embedded broker needs one made up. */
    public static ControllerConfig complete(ControllerConfig config) {
        if (!config.embeddedBroker() || config.brokerAllowAnonymous() || !config.mqttUsername().isEmpty()) {
            return config;
        }
        return config.with(Map.of("mqtt.username", GENERATED_USERNAME, "mqtt.password", Secrets.random()));
    }
}
