package io.c2f.agent.link;

import io.c2f.proto.topic.Topics;
import io.c2f.agent.link.mqtt.MqttConnection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import javax.net.SocketFactory;

/**
 * How a device reaches its broker.
 *
 * @param brokerUri e.g. {@code tcp://broker:1883} or {@code ssl://broker:8883}
 * @param fleet fleet id
 * @param deviceId device id, also the MQTT client id
 * @param username null for anonymous
 * @param password null for none
 * @param socketFactory null for the default (for TLS: an SSLSocketFactory with the fleet's CA)
 * @param keepAlive MQTT keep-alive; the broker publishes the Last Will after 1.5x this of silence
 * @param connectTimeout how long one connection attempt may take
 * @param backoff delays between attempts
 * @param stateDir where the session counter lives
 */
public record LinkSettings(String brokerUri, String fleet, String deviceId, String username, char[] password,
        SocketFactory socketFactory, Duration keepAlive, Duration connectTimeout, Backoff backoff, Path stateDir) {
    public LinkSettings {
        Objects.requireNonNull(brokerUri, "brokerUri");
        if (!brokerUri.matches("(tcp|ssl|ws|wss)://.+")) {
            throw new IllegalArgumentException("broker URI must start with tcp://, ssl://, ws:// or wss://, got '"
                    + brokerUri + "'");
        }
        if (!Topics.isValidId(fleet)) {
            throw new IllegalArgumentException("fleet must be 1-64 characters of [A-Za-z0-9_.-], got '" + fleet + "'");
        }
        if (!Topics.isValidId(deviceId)) {
            throw new IllegalArgumentException("device id must be 1-64 characters of [A-Za-z0-9_.-], got '"
                    + deviceId + "'");
        }
        if (keepAlive.toSeconds() < 1) {
            throw new IllegalArgumentException("keep-alive must be at least 1 s, got " + keepAlive);
        }
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(backoff, "backoff");
        Objects.requireNonNull(stateDir, "stateDir");
        password = password == null ? null : password.clone();
    }

    /** Anonymous plain-TCP settings with default timings. */
    public static LinkSettings of(String brokerUri, String fleet, String deviceId, Path stateDir) {
        return new LinkSettings(brokerUri, fleet, deviceId, null, null, null, Duration.ofSeconds(10),
                Duration.ofSeconds(10), Backoff.defaults(), stateDir);
    }

    public LinkSettings withCredentials(String user, char[] pass) {
        return new LinkSettings(brokerUri, fleet, deviceId, user, pass, socketFactory, keepAlive, connectTimeout,
                backoff, stateDir);
    }

    public LinkSettings withTimings(Duration newKeepAlive, Backoff newBackoff) {
        return new LinkSettings(brokerUri, fleet, deviceId, username, password, socketFactory, newKeepAlive,
                connectTimeout, newBackoff, stateDir);
    }

    public LinkSettings withSocketFactory(SocketFactory factory) {
        return new LinkSettings(brokerUri, fleet, deviceId, username, password, factory, keepAlive, connectTimeout,
                backoff, stateDir);
    }

    /**
     * Connect options with these timings and TLS, as Paho's defaults have them otherwise (clean
     * session, 10 in flight); session, credentials and will are the caller's. No transport reconnects
     * by itself: the caller reconnects with its backoff.
     */
    public MqttConnection.Options connectOptions() {
        return new MqttConnection.Options(true, null, null, null, keepAlive, connectTimeout, socketFactory, 10);
    }

    @Override
    public char[] password() {
        return password == null ? null : password.clone();
    }

    @Override
    public String toString() {
        // never print the password
        return "LinkSettings[" + brokerUri + ", fleet=" + fleet + ", device=" + deviceId
                + (username == null ? "" : ", user=" + username) + "]";
    }
}
