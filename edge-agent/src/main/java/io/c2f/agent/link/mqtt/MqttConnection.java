package io.c2f.agent.link.mqtt;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import javax.net.SocketFactory;

/**
 * One client id's MQTT 3.1.1 connection to the broker, connected again by its user after a loss
 * (never automatically). A real device uses {@link PahoConnection}; the fleet simulator uses a Netty
 * one that costs no thread per device. Futures fail with {@link LoginRefusedException} (CONNACK 4
 * or 5), {@link NotConnectedException} (publish while down) or the transport's own exception.
 */
public interface MqttConnection extends AutoCloseable {
    /** Told of messages and of a connection lost without the client asking. */
    interface Handler {
        /**
         * A message arrived; called one at a time, in order, never on a network thread of a shared
         * transport. A QoS 1 message is acknowledged after this returns.
         */
        void messageArrived(String topic, byte[] payload);

        /** The connection went down without {@link #disconnect} or {@link #close}. */
        void connectionLost(Throwable cause);
    }

    /** A Last Will. */
    record Will(String topic, byte[] payload, int qos, boolean retained) {
        public Will {
            Objects.requireNonNull(topic, "topic");
            payload = payload.clone();
        }

        @Override
        public byte[] payload() {
            return payload.clone();
        }
    }

    /**
     * What a CONNECT carries and how long it may take.
     *
     * @param username null for none
     * @param password null for none
     * @param will null for none
     * @param socketFactory null for the default (TLS: an SSLSocketFactory with the fleet's CA)
     * @param maxInflight QoS 1 publishes awaiting their PUBACK at once; more fail at once
     */
    record Options(boolean cleanSession, String username, char[] password, Will will, Duration keepAlive,
            Duration connectTimeout, SocketFactory socketFactory, int maxInflight) {
        public Options {
            Objects.requireNonNull(keepAlive, "keepAlive");
            Objects.requireNonNull(connectTimeout, "connectTimeout");
            if (maxInflight < 1 || maxInflight > 65535) {
                throw new IllegalArgumentException("max in-flight must be 1..65535, got " + maxInflight);
            }
            password = password == null ? null : password.clone();
        }

        @Override
        public char[] password() {
            return password == null ? null : password.clone();
        }

        public Options withCleanSession(boolean clean) {
            return new Options(clean, username, password, will, keepAlive, connectTimeout, socketFactory, maxInflight);
        }

        public Options withLogin(String user, char[] pass) {
            return new Options(cleanSession, user, pass, will, keepAlive, connectTimeout, socketFactory, maxInflight);
        }

        public Options withWill(Will newWill) {
            return new Options(cleanSession, username, password, newWill, keepAlive, connectTimeout, socketFactory,
                    maxInflight);
        }

        public Options withMaxInflight(int max) {
            return new Options(cleanSession, username, password, will, keepAlive, connectTimeout, socketFactory, max);
        }

        @Override
        public String toString() {
            // never print the password
            return "Options[clean=" + cleanSession + (username == null ? "" : ", user=" + username) + ", keepAlive="
                    + keepAlive + "]";
        }
    }

    /** Set once, before the first connect. */
    void setHandler(Handler handler);

    /** Connects; completes on CONNACK accepted. */
    CompletableFuture<Void> connect(Options options);

    /** Subscribes to one filter; completes with the granted QoS (0x80: refused). */
    CompletableFuture<Integer> subscribe(String topic, int qos);

    /** Publishes; completes when written (QoS 0) or on PUBACK (QoS 1). */
    CompletableFuture<Void> publish(String topic, byte[] payload, int qos, boolean retained);

    boolean isConnected();

    /** Sends DISCONNECT (no Last Will) and closes the connection. */
    CompletableFuture<Void> disconnect();

    /** Drops the connection at once if it is up (the broker then publishes the Last Will). */
    void disconnectForcibly();

    /** Frees the connection's resources for good. */
    @Override
    void close();
}
