package io.c2f.controller.broker;

import io.c2f.controller.config.ConfigException;
import io.c2f.controller.config.ControllerConfig;
import io.c2f.controller.config.TlsSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Collections;
import java.util.Locale;

/**
 * What the embedded broker runs with, taken from the controller's config and checked at start.
 *
 * @param plainPort the plain listener's port (0: pick a free one), or -1 for none
 * @param tlsPort the TLS listener's port, or 0 for none
 * @param maxInflight QoS 1 messages sent to one client and not yet acknowledged
 * @param queueLimit messages queued for one session beyond those in flight
 */
record BrokerSettings(String fleet, String host, int plainPort, int tlsPort, String keystore, String keystoreType,
        String keystorePassword, boolean allowAnonymous, String adminUser, String adminPassword, int maxInflight,
        int queueLimit, int maxMessageBytes) {

    static BrokerSettings from(ControllerConfig config) {
        if (!config.brokerAllowAnonymous() && config.mqttUsername().isEmpty()) {
            throw new ConfigException("broker.allow.anonymous=false needs mqtt.username and mqtt.password: the "
                    + "controller's own login to the embedded broker");
        }
        TlsSettings tls = config.tls();
        String keystore = "";
        String type = "";
        if (tls.brokerTls()) {
            Path path = Path.of(tls.brokerKeystore()).toAbsolutePath();
            requirePrivateKey(path, tls.brokerKeystorePassword());
            keystore = path.toString();
            type = TlsSettings.keystoreType(keystore).toUpperCase(Locale.ROOT);
        }
        return new BrokerSettings(config.fleet(), config.brokerHost(), tls.brokerPlain() ? config.brokerPort() : -1,
                tls.brokerTls() ? tls.brokerPort() : 0, keystore, type, tls.brokerKeystorePassword(),
                config.brokerAllowAnonymous(), config.mqttUsername(), config.mqttPassword(),
                config.brokerMaxInflight(), EmbeddedBroker.SESSION_QUEUE_SIZE, EmbeddedBroker.MAX_MESSAGE_BYTES);
    }

    /** Opens the key store as the TLS listener will, so a wrong file or password is a clear config error. */
    private static void requirePrivateKey(Path keystore, String password) {
        try (InputStream in = Files.newInputStream(keystore)) {
            KeyStore ks = KeyStore.getInstance(TlsSettings.keystoreType(keystore.toString()).toUpperCase(Locale.ROOT));
            ks.load(in, password.toCharArray());
            for (String alias : Collections.list(ks.aliases())) {
                if (ks.isKeyEntry(alias)) {
                    return;
                }
            }
            throw new ConfigException("broker.tls.keystore " + keystore + " holds no private key");
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException("broker.tls.keystore " + keystore + " cannot be opened (wrong password or "
                    + "type?): " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        // never print the passwords
        return "BrokerSettings[" + host + ", plain " + plainPort + ", tls " + tlsPort + ", anonymous " + allowAnonymous
                + ", inflight " + maxInflight + "]";
    }
}
