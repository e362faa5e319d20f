package io.c2f.controller.mqtt;

import io.c2f.controller.config.TlsSettings;

/**
 * What the controller's MQTT connection runs with, derived from the controller's config.
 *
 * @param fleet the fleet it subscribes to and commands
 * @param instanceId this controller instance (its client id suffix, the sender id of its headers)
 * @param username its broker login ("" for none)
 * @param password the login's password
 * @param sharedGroup non-empty: shareable channels are subscribed as {@code $share/{group}/...}
 * @param tls the trust settings for an {@code ssl://} broker
 * @param embeddedBroker whether the broker is the controller's own (its certificate is then trusted)
 */
public record MqttSettings(String fleet, String instanceId, String username, String password, String sharedGroup,
                           TlsSettings tls, boolean embeddedBroker) {
    /** The MQTT client id of this controller. */
    public String clientId() {
        return "c2f-controller-" + instanceId;
    }
}
