package io.c2f.controller.api;

import io.c2f.controller.config.TlsSettings;

/**
 * What the HTTP API runs with, derived from the controller's config.
 *
 * @param fleet the fleet whose devices it serves
 * @param host the address it binds
 * @param port its port (0: a free one)
 * @param tls HTTPS key material, when configured
 * @param embeddedBroker whether the broker is the controller's own (what {@code /healthz} reports)
 */
public record HttpSettings(String fleet, String host, int port, TlsSettings tls, boolean embeddedBroker) {
}
