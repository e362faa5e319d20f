package io.c2f.controller.broker;

import io.c2f.controller.config.ConfigException;
import io.c2f.controller.config.TlsSettings;
import io.c2f.controller.config.ControllerConfig;
import io.c2f.proto.codec.WireCodec;
import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import io.moquette.broker.security.IAuthenticator;
import io.moquette.broker.security.IAuthorizatorPolicy;
import io.moquette.broker.subscriptions.Topic;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-process Moquette 0.17 broker (MQTT 3.1.1) for single-node installs and development.
 *
 * <p>Settings that differ from Moquette's defaults, and why: telemetry off (it phones home
 * otherwise), bound to loopback unless configured, persistence under the data dir (not
 * {@code ./data}), 16 MiB messages (bundle chunks and PNG results; the default is 8092 B), and a
 * session queue of 65536 (the default 1024 loses QoS 1 messages under load). With
 * {@code broker.allow.anonymous=false} clients must log in: devices with the credentials file,
 * the controller with {@code mqtt.username}/{@code mqtt.password}; {@link DeviceTopicPolicy} is the ACL.
 *
 * <p>{@link #start} and {@link #close} block: call them from a worker.
 */
public final class EmbeddedBroker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);
    /** Room for the largest payload the codec accepts plus MQTT framing. */
    public static final int MAX_MESSAGE_BYTES = WireCodec.MAX_PAYLOAD_BYTES + 64 * 1024;
    public static final int SESSION_QUEUE_SIZE = 65_536;

    private final Server server = new Server();
    private final String host;
    private final String url;
    private volatile int port;
    private volatile boolean running;

    private EmbeddedBroker(ControllerConfig config) {
        this.host = config.brokerHost();
        this.port = config.brokerPort();
        this.url = config.effectiveMqttUrl();
    }

    /** Opens the key store as Moquette will, so a wrong file or password is a clear config error. */
    private static void requirePrivateKey(Path keystore, String password) {
        try (java.io.InputStream in = Files.newInputStream(keystore)) {
            java.security.KeyStore ks = java.security.KeyStore.getInstance(
                    TlsSettings.keystoreType(keystore.toString()).toUpperCase(java.util.Locale.ROOT));
            ks.load(in, password.toCharArray());
            for (String alias : java.util.Collections.list(ks.aliases())) {
                if (ks.isKeyEntry(alias)) {
                    return;
                }
            }
            throw new ConfigException("broker.tls.keystore " + keystore + " holds no private key");
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new ConfigException("broker.tls.keystore " + keystore + " cannot be opened (wrong password or "
                    + "type?): " + e.getMessage(), e);
        }
    }

    /** Starts the broker the config describes. */
    public static EmbeddedBroker start(ControllerConfig config) throws IOException {
        DeviceCredentials credentials = config.brokerCredentialsFile().isEmpty()
                ? DeviceCredentials.none() : DeviceCredentials.load(Path.of(config.brokerCredentialsFile()));
        return start(config, credentials);
    }

    /** Starts the broker with the given device credentials (used when anonymous access is off). */
    public static EmbeddedBroker start(ControllerConfig config, DeviceCredentials credentials) throws IOException {
        if (!config.brokerAllowAnonymous() && config.mqttUsername().isEmpty()) {
            throw new ConfigException("broker.allow.anonymous=false needs mqtt.username and mqtt.password: the "
                    + "controller's own login to the embedded broker");
        }
        Path dir = config.brokerDataDir();
        Files.createDirectories(dir);
        Properties p = new Properties();
        p.setProperty("host", config.brokerHost());
        p.setProperty("port", Integer.toString(config.brokerPort()));
        p.setProperty("websocket_port", "disabled");
        p.setProperty("telemetry_enabled", "false");
        p.setProperty("use_metrics", "false");
        p.setProperty("use_bugsnag", "false");
        p.setProperty("persistence_enabled", "true");
        p.setProperty("data_path", dir.toAbsolutePath().toString());
        p.setProperty("netty.mqtt.message_size", Integer.toString(MAX_MESSAGE_BYTES));
        p.setProperty("session_queue_size", Integer.toString(SESSION_QUEUE_SIZE));
        p.setProperty("allow_anonymous", Boolean.toString(config.brokerAllowAnonymous()));
        p.setProperty("allow_zero_byte_client_id", "false");
        p.setProperty("reauthorize_subscriptions_on_connect", "true");
        TlsSettings tls = config.tls();
        if (tls.brokerTls()) {
            Path keystore = Path.of(tls.brokerKeystore()).toAbsolutePath();
            requirePrivateKey(keystore, tls.brokerKeystorePassword());
            p.setProperty("ssl_port", Integer.toString(tls.brokerPort()));
            p.setProperty("ssl_provider", "JDK");
            p.setProperty("jks_path", keystore.toString());
            p.setProperty("key_store_type", TlsSettings.keystoreType(keystore.toString()));
            p.setProperty("key_store_password", tls.brokerKeystorePassword());
            p.setProperty("key_manager_password", tls.brokerKeystorePassword());
            // devices prove who they are with their password (DeviceCredentials), not with a client certificate
            p.setProperty("need_client_auth", "false");
            if (!tls.brokerPlain()) {
                p.setProperty("port", "disabled");
            }
        }

        EmbeddedBroker broker = new EmbeddedBroker(config);
        IAuthenticator authenticator;
        IAuthorizatorPolicy policy;
        if (config.brokerAllowAnonymous()) {
            // development mode: anyone may connect and do anything
            authenticator = (clientId, user, password) -> true;
            policy = new IAuthorizatorPolicy() {
                @Override
                public boolean canWrite(Topic topic, String user, String client) {
                    return true;
                }

                @Override
                public boolean canRead(Topic topic, String user, String client) {
                    return true;
                }
            };
        } else {
            byte[] adminPassword = config.mqttPassword().getBytes(StandardCharsets.UTF_8);
            String admin = config.mqttUsername();
            DeviceTopicPolicy acl = new DeviceTopicPolicy(config.fleet(), admin);
            authenticator = (clientId, user, password) -> {
                boolean ok = admin.equals(user)
                        ? password != null && MessageDigest.isEqual(adminPassword, password)
                        : user != null && user.equals(clientId) && credentials.check(user, password);
                if (!ok) {
                    LOG.warn("broker refused login of client '{}' as user '{}'", clientId, user);
                }
                return ok;
            };
            policy = new IAuthorizatorPolicy() {
                @Override
                public boolean canWrite(Topic topic, String user, String client) {
                    boolean ok = acl.canPublish(topic.toString(), user, client);
                    if (!ok) {
                        LOG.warn("broker refused publish of '{}' (client '{}') on {}", user, client, topic);
                    }
                    return ok;
                }

                @Override
                public boolean canRead(Topic topic, String user, String client) {
                    boolean ok = acl.canSubscribe(topic.toString(), user, client);
                    if (!ok) {
                        LOG.warn("broker refused subscription of '{}' (client '{}') to {}", user, client, topic);
                    }
                    return ok;
                }
            };
        }
        broker.server.startServer(new MemoryConfig(p), List.of(), null, authenticator, policy);
        broker.running = true;
        if (broker.port == 0) {
            broker.port = broker.boundPort();
        }
        LOG.info("embedded MQTT broker listening on {}:{}{} (data in {}, anonymous {})", config.brokerHost(),
                tls.brokerPlain() ? Integer.toString(broker.port()) : "-",
                tls.brokerTls() ? ", TLS on port " + tls.brokerPort() : "", dir,
                config.brokerAllowAnonymous() ? "allowed" : "refused");
        return broker;
    }

    /** The port it listens on (the real one when configured with 0). */
    public int port() {
        return port;
    }

    /** Moquette records the bound port when the asynchronous bind completes: wait for it. */
    private int boundPort() throws IOException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            int p = server.getPort();
            if (p > 0) {
                return p;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        server.stopServer();
        throw new IOException("embedded broker did not report its port within 10 s");
    }

    /** Where the controller connects: the plain listener, or the TLS one when that is the only one. */
    public String url() {
        return url;
    }

    @Override
    public synchronized void close() {
        if (running) {
            running = false;
            server.stopServer();
            LOG.info("embedded MQTT broker stopped");
        }
    }
}
