package io.c2f.controller.config;

import io.c2f.proto.topic.Topics;
import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Everything the controller is started with. Built by {@link ConfigLoader} (file, environment,
 * flags); the constructor validates, so an instance is always usable.
 *
 * @param fleet the fleet this controller serves (the {@code {fleet}} of every topic)
 * @param instanceId this controller instance (MQTT client id suffix, sender id of its headers)
 * @param httpHost address the HTTP API binds; loopback by default (beyond it, API tokens are required)
 * @param httpPort HTTP API port; 0 picks a free one
 * @param apiTokensFile operator bearer tokens ({@link io.c2f.controller.auth.ApiTokens}); empty: none,
 *     which only a loopback {@code httpHost} allows
 * @param mqttUrl external broker ({@code tcp://host:port} or {@code ssl://}); empty: the embedded broker
 * @param mqttUsername user for the controller's MQTT connection; empty: none
 * @param mqttPassword its password
 * @param mqttSharedGroup non-empty: subscribe telemetry as {@code $share/{group}/...} (scale-out)
 * @param brokerHost address the embedded broker binds (all its listeners); loopback by default
 * @param brokerPort port of the embedded broker (0: a free one, see {@code EmbeddedBroker.url()})
 * @param brokerAllowAnonymous whether the embedded broker lets clients in without credentials (development
 *     on loopback only; off by default)
 * @param brokerCredentialsFile device credentials for the embedded broker; empty: none
 * @param brokerEnrolment how enrolment decisions reach an external broker: {@code dynsec} (Mosquitto's dynamic
 *     security plugin, driven over its control topic), {@code none} (the operator does it); empty: the
 *     embedded broker's own, or none with {@code mqtt.url}
 * @param brokerMaxInflight QoS 1 messages the embedded broker sends one client before it waits for
 *     acknowledgements (the controller's telemetry intake batches up to this many)
 * @param dataDir where the embedded database, bundles, keys and images are kept (the embedded broker keeps nothing on disk)
 * @param dbUrl JDBC URL; empty: an embedded H2 database under dataDir
 * @param dbUser database user
 * @param dbPassword database password
 * @param dbPoolSize JDBC connections, and so the number of concurrent blocking database calls
 * @param heartbeatTimeoutFactor a device is offline after this many missed heartbeat intervals
 * @param defaultHeartbeatMs heartbeat interval assumed until a device states its own
 * @param livenessSweepMs how often the registry looks for silent devices
 * @param shutdownDrainMs on stop, how long in-flight work (telemetry writes, HTTP requests, schedule
 *     searches) may take to finish before what is left is re-queued and the database closed
 * @param telemetryBatchSize telemetry records written per transaction at most
 * @param telemetryBatchDelayMs a record waits at most this long for its batch to fill
 * @param telemetryQueueCapacity records queued for writing at most; beyond that MQTT acknowledgements
 *     are held back (the broker stops sending at its in-flight limit)
 * @param telemetryWriters telemetry batches written at once (each for its own share of the devices)
 * @param telemetryAckAfterStore true: PUBACK a telemetry record once it is in the database; false: once
 *     it is in the write queue (a crash loses at most the queue)
 * @param tls TLS of the embedded broker, the controller's MQTT client and the HTTP API
 * @param modelsDir the only directory whose files API callers may name (models, ModelInfo, schedules,
 *     probe images, catalogs); empty: {@code models} under dataDir
 * @param modelUploadMaxBytes largest model a bundle request may upload or name
 */
public record ControllerConfig(
        String fleet,
        String instanceId,
        String httpHost,
        int httpPort,
        String apiTokensFile,
        String mqttUrl,
        String mqttUsername,
        String mqttPassword,
        String mqttSharedGroup,
        String brokerHost,
        int brokerPort,
        boolean brokerAllowAnonymous,
        String brokerCredentialsFile,
        int brokerMaxInflight,
        Path dataDir,
        String dbUrl,
        String dbUser,
        String dbPassword,
        int dbPoolSize,
        double heartbeatTimeoutFactor,
        long defaultHeartbeatMs,
        long livenessSweepMs,
        long shutdownDrainMs,
        int telemetryBatchSize,
        long telemetryBatchDelayMs,
        int telemetryQueueCapacity,
        int telemetryWriters,
        boolean telemetryAckAfterStore,
        TlsSettings tls,
        String modelsDir,
        long modelUploadMaxBytes,
        String brokerEnrolment) {

    public ControllerConfig {
        if (!Topics.isValidId(fleet)) {
            throw new ConfigException("fleet '" + fleet + "' must be 1-64 characters of [A-Za-z0-9_.-]");
        }
        if (!Topics.isValidId(instanceId)) {
            throw new ConfigException("instance.id '" + instanceId + "' must be 1-64 characters of [A-Za-z0-9_.-]");
        }
        requirePort("http.port", httpPort, true);
        requirePort("broker.port", brokerPort, true);
        if (brokerMaxInflight < 1 || brokerMaxInflight > 10_000) {
            throw new ConfigException("broker.max.inflight " + brokerMaxInflight + " must be 1..10000");
        }
        if (!brokerEnrolment.isEmpty() && !brokerEnrolment.equals("dynsec") && !brokerEnrolment.equals("none")) {
            throw new ConfigException("broker.enrolment '" + brokerEnrolment + "' must be dynsec or none (or empty: "
                    + "the embedded broker's own, none with mqtt.url)");
        }
        if (brokerEnrolment.equals("dynsec") && mqttUrl.isEmpty()) {
            throw new ConfigException("broker.enrolment=dynsec drives an external Mosquitto: set mqtt.url (the "
                    + "embedded broker enrols devices itself)");
        }
        requireNonBlank("http.host", httpHost);
        requireNonBlank("broker.host", brokerHost);
        if (!mqttUrl.isEmpty()) {
            String lower = mqttUrl.toLowerCase(Locale.ROOT);
            if (!lower.startsWith("tcp://") && !lower.startsWith("ssl://")) {
                throw new ConfigException("mqtt.url '" + mqttUrl + "' must start with tcp:// or ssl://");
            }
            URI uri;
            try {
                uri = URI.create(mqttUrl);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("mqtt.url '" + mqttUrl + "' is not a valid URL: " + e.getMessage());
            }
            if (uri.getHost() == null || uri.getPort() < 1 || uri.getPort() > 65535) {
                throw new ConfigException("mqtt.url '" + mqttUrl + "' must name a host and a port, e.g. tcp://broker:1883");
            }
        }
        if (!mqttSharedGroup.isEmpty()) {
            if (!Topics.isValidId(mqttSharedGroup)) {
                throw new ConfigException("mqtt.shared.group '" + mqttSharedGroup
                        + "' must be 1-64 characters of [A-Za-z0-9_.-]");
            }
            if (mqttUrl.isEmpty()) {
                throw new ConfigException("mqtt.shared.group needs an external broker that supports shared "
                        + "subscriptions (set mqtt.url); the embedded broker speaks MQTT 3.1.1 only");
            }
        }
        if (mqttUrl.isEmpty() && !brokerAllowAnonymous && !mqttUsername.isEmpty() && mqttPassword.isEmpty()) {
            // the embedded broker would let anyone in as the controller with an empty password
            throw new ConfigException("mqtt.username is set but mqtt.password is empty: set both (the controller's "
                    + "login to the embedded broker), or neither (the controller then makes up its own at each start)");
        }
        if (!dbUrl.isEmpty() && !dbUrl.startsWith("jdbc:h2:") && !dbUrl.startsWith("jdbc:postgresql:")) {
            throw new ConfigException("db.url '" + dbUrl + "' must start with jdbc:postgresql: or jdbc:h2:");
        }
        if (dbPoolSize < 1 || dbPoolSize > 64) {
            throw new ConfigException("db.pool.size " + dbPoolSize + " must be 1..64");
        }
        if (!(heartbeatTimeoutFactor >= 1.0) || heartbeatTimeoutFactor > 100) {
            throw new ConfigException("heartbeat.timeout.factor " + heartbeatTimeoutFactor + " must be 1..100");
        }
        if (defaultHeartbeatMs < 10) {
            throw new ConfigException("heartbeat.default.ms " + defaultHeartbeatMs + " must be at least 10");
        }
        if (livenessSweepMs < 10) {
            throw new ConfigException("liveness.sweep.ms " + livenessSweepMs + " must be at least 10");
        }
        if (shutdownDrainMs < 0 || shutdownDrainMs > 600_000) {
            throw new ConfigException("shutdown.drain.ms " + shutdownDrainMs + " must be 0..600000");
        }
        if (telemetryBatchSize < 1 || telemetryBatchSize > 10_000) {
            throw new ConfigException("telemetry.batch.size " + telemetryBatchSize + " must be 1..10000");
        }
        if (telemetryBatchDelayMs < 0 || telemetryBatchDelayMs > 10_000) {
            throw new ConfigException("telemetry.batch.delay.ms " + telemetryBatchDelayMs + " must be 0..10000");
        }
        if (telemetryQueueCapacity < telemetryBatchSize || telemetryQueueCapacity > 1_000_000) {
            throw new ConfigException("telemetry.queue.capacity " + telemetryQueueCapacity
                    + " must be at least telemetry.batch.size (" + telemetryBatchSize + ") and at most 1000000");
        }
        if (telemetryWriters < 1 || telemetryWriters > dbPoolSize) {
            throw new ConfigException("telemetry.writers " + telemetryWriters + " must be 1..db.pool.size ("
                    + dbPoolSize + ")");
        }
        if (tls == null) {
            throw new ConfigException("tls settings must be given (TlsSettings.NONE for none)");
        }
        if (tls.brokerTls() && tls.brokerPort() == brokerPort) {
            throw new ConfigException("broker.tls.port " + tls.brokerPort() + " must differ from broker.port");
        }
        if (dataDir == null) {
            throw new ConfigException("data.dir must be set");
        }
        if (modelsDir == null) {
            throw new ConfigException("models.dir must be given (empty for models/ under data.dir)");
        }
        if (modelUploadMaxBytes < 1024 || modelUploadMaxBytes > (1L << 30)) {
            throw new ConfigException("models.upload.max.bytes " + modelUploadMaxBytes + " must be 1024..1073741824");
        }
    }

    /** The models directory in use: the configured one, or {@code models} under the data dir. */
    public Path effectiveModelsDir() {
        return modelsDir.isEmpty() ? dataDir.resolve("models") : Path.of(modelsDir);
    }

    /** Where the bundle-signing key lives: nothing the API serves, packs or names may contain it. */
    public Path keysDir() {
        return dataDir.resolve("keys");
    }

    /** Whether the controller runs its own in-process broker. */
    public boolean embeddedBroker() {
        return mqttUrl.isEmpty();
    }

    /**
     * The broker the controller connects to: the external one, or the embedded one (over TLS when
     * its plain listener is off).
     */
    public String effectiveMqttUrl() {
        if (!embeddedBroker()) {
            return mqttUrl;
        }
        String host = brokerHost.equals("0.0.0.0") || brokerHost.equals("::") ? "127.0.0.1" : brokerHost;
        return tls.brokerPlain() ? "tcp://" + host + ":" + brokerPort : "ssl://" + host + ":" + tls.brokerPort();
    }

    /** The JDBC URL in use: the configured one, or a file H2 database under the data dir. */
    public String effectiveDbUrl() {
        if (!dbUrl.isEmpty()) {
            return dbUrl;
        }
        // PostgreSQL mode so the same migrations and SQL run on both
        // WRITE_DELAY=0: a commit reaches the file before it returns (H2's default keeps commits of the
        // last 500 ms in memory, which a kill -9 loses: acknowledged telemetry, recorded job outcomes)
        return "jdbc:h2:file:" + dataDir.resolve("db").resolve("c2f").toAbsolutePath()
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0";
    }

    /** A copy with other values for some keys (tests, tools). */
    public ControllerConfig with(Map<String, String> overrides) {
        return ConfigLoader.withOverrides(this, overrides);
    }

    @Override
    public String toString() {
        // never print secrets
        return "ControllerConfig[fleet=" + fleet + ", instanceId=" + instanceId + ", http=" + httpHost + ":" + httpPort
                + ", mqtt=" + effectiveMqttUrl() + (embeddedBroker() ? " (embedded)" : "")
                + ", " + tls + ", dataDir=" + dataDir + ", db=" + (dbUrl.isEmpty() ? "embedded H2" : dbUrl) + "]";
    }

    private static void requirePort(String key, int port, boolean zeroAllowed) {
        if (port < (zeroAllowed ? 0 : 1) || port > 65535) {
            throw new ConfigException(key + " " + port + " must be " + (zeroAllowed ? "0" : "1") + "..65535");
        }
    }

    private static void requireNonBlank(String key, String value) {
        if (value == null || value.isBlank()) {
            throw new ConfigException(key + " must not be empty");
        }
    }

    /** Who this controller is: all that most parts need of this config. */
    public ControllerIdentity identity() {
        return new ControllerIdentity(fleet, instanceId);
    }
}
