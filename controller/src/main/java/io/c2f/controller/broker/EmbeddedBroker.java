package io.c2f.controller.broker;

import io.c2f.controller.config.ControllerConfig;
import io.c2f.proto.codec.WireCodec;
import io.c2f.proto.enrol.EnrolmentToken;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's in-process MQTT 3.1.1 broker for single-node installs and development, written
 * on Vert.x's MQTT server. It replaced Moquette 0.17, which could not be made safe: a Last Will went
 * around its ACL (the authorizer never saw it) and a kill -9 left its disk store wedged.
 *
 * <p>What it guarantees: one {@link DeviceTopicPolicy} decision ({@code PublishGate}) for every
 * message that enters it (PUBLISH, retain flag, Last Will at CONNECT and when it fires); logins as
 * the admin ({@code mqtt.username}), as a device ({@link DeviceCredentials}, username = client id),
 * or anonymous only with {@code broker.allow.anonymous=true}; no disk store (nothing to corrupt on a
 * crash) and end-to-end acknowledgement instead: a QoS 1 PUBLISH is acknowledged to its publisher
 * only once every online subscriber it went to acknowledged it, so a device's telemetry is
 * acknowledged once the controller took it. Persistent sessions (clean session = false) keep their
 * subscriptions and queue QoS 1 messages while the client is away, in memory, while the broker runs.
 */
public final class EmbeddedBroker {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);
    /** Room for the largest payload the codec accepts plus MQTT framing. */
    public static final int MAX_MESSAGE_BYTES = WireCodec.MAX_PAYLOAD_BYTES + 64 * 1024;
    /** Messages queued for one session beyond those in flight; more are dropped and counted. */
    public static final int SESSION_QUEUE_SIZE = 65_536;

    private final Vertx vertx;
    private final BrokerVerticle verticle;
    private final String deploymentId;
    private final String url;
    private volatile boolean running = true;

    private EmbeddedBroker(Vertx vertx, BrokerVerticle verticle, String deploymentId, String url) {
        this.vertx = vertx;
        this.verticle = verticle;
        this.deploymentId = deploymentId;
        this.url = url;
    }

    /** Starts the broker the config describes (device credentials from {@code broker.credentials.file}). */
    public static Future<EmbeddedBroker> start(Vertx vertx, ControllerConfig config) {
        return vertx.executeBlocking(() -> config.brokerCredentialsFile().isEmpty() ? DeviceCredentials.none()
                : DeviceCredentials.load(Path.of(config.brokerCredentialsFile())))
                .compose(credentials -> start(vertx, config, credentials));
    }

    /**
     * Starts the broker the config describes, admitting only the controller's own client until
     * {@link #openToAll()}: with no store, a device that got in before the controller subscribed
     * would get PUBACKs for publishes that reach nobody (lost from its spool). Devices refused
     * meanwhile get CONNACK "server unavailable" and try again.
     */
    public static Future<EmbeddedBroker> startReservedFor(Vertx vertx, ControllerConfig config, String controllerClientId) {
        return vertx.executeBlocking(() -> config.brokerCredentialsFile().isEmpty() ? DeviceCredentials.none()
                : DeviceCredentials.load(Path.of(config.brokerCredentialsFile())))
                .compose(credentials -> start(vertx, config, credentials, controllerClientId));
    }

    /** Starts the broker with the given device credentials (used when anonymous access is off). */
    public static Future<EmbeddedBroker> start(Vertx vertx, ControllerConfig config, DeviceCredentials credentials) {
        return start(vertx, config, credentials, null);
    }

    private static Future<EmbeddedBroker> start(Vertx vertx, ControllerConfig config, DeviceCredentials credentials,
            String reservedFor) {
        BrokerSettings settings;
        try {
            settings = BrokerSettings.from(config);
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
        BrokerVerticle verticle = new BrokerVerticle(settings, credentials);
        if (reservedFor != null) {
            verticle.reserveFor(reservedFor);
        }
        return vertx.deployVerticle(verticle).map(id -> {
            String host = settings.host().equals("0.0.0.0") || settings.host().equals("::") ? "127.0.0.1"
                    : settings.host();
            String url = verticle.plainPort() >= 0 ? "tcp://" + host + ":" + verticle.plainPort()
                    : "ssl://" + host + ":" + verticle.tlsPort();
            LOG.info("embedded MQTT broker listening on {}:{}{} (in memory, anonymous {}, in-flight window {})",
                    settings.host(), verticle.plainPort() >= 0 ? Integer.toString(verticle.plainPort()) : "-",
                    verticle.tlsPort() > 0 ? ", TLS on port " + verticle.tlsPort() : "",
                    settings.allowAnonymous() ? "allowed" : "refused", settings.maxInflight());
            return new EmbeddedBroker(vertx, verticle, id, url);
        });
    }

    /** The plain listener's port (the real one when configured with 0), or -1 when it is off. */
    public int port() {
        return verticle.plainPort();
    }

    /** The TLS listener's port, or -1 when there is none. */
    public int tlsPort() {
        return verticle.tlsPort();
    }

    /** Where the controller connects: the plain listener, or the TLS one when that is the only one. */
    public String url() {
        return url;
    }

    /** Whether it is listening (for /healthz). */
    public boolean running() {
        return running && verticle.listening();
    }

    /** Admits every client (the controller has subscribed). */
    public void openToAll() {
        verticle.openToAll();
        LOG.info("embedded MQTT broker admits devices (the controller is subscribed)");
    }

    /** Clients connected now. */
    public int connectedClients() {
        return verticle.stats.connectedClients();
    }

    /** Publishes dropped by the ACL (client publishes and wills) since start. */
    public long deniedPublishes() {
        return verticle.stats.deniedPublishes();
    }

    /** Connections refused at CONNECT since start (login, protocol, client id, will). */
    public long refusedConnections() {
        return verticle.stats.refusedConnects();
    }

    /** Messages dropped because a session's queue was full. */
    public long droppedMessages() {
        return verticle.stats.droppedMessages();
    }

    /**
     * Closes a client's connection (its will fires) and discards its session, e.g. when a device's
     * enrolment is revoked. Completes with whether the client had a connection or a session.
     */
    public Future<Boolean> disconnect(String clientId) {
        if (!running) {
            return Future.succeededFuture(false);
        }
        Promise<Boolean> done = Promise.promise();
        verticle.context().runOnContext(v -> done.complete(verticle.disconnect(clientId)));
        return done.future();
    }

    /**
     * Makes an enrolled device's credential valid at once (no restart), given as its PBKDF2 hash
     * ({@link DeviceCredentials#hash}). False when the id is one of {@code broker.credentials.file}'s,
     * which enrolment never replaces.
     */
    public boolean admitDevice(String deviceId, String credentialHash) {
        return verticle.devices.admit(deviceId, credentialHash);
    }

    /**
     * Makes an enrolled device's credential invalid at once and closes its connection and session
     * (rejected or decommissioned). Completes with whether it had a connection or a session.
     */
    public Future<Boolean> revokeDevice(String deviceId) {
        verticle.devices.revoke(deviceId);
        return disconnect(deviceId);
    }

    /** Whether the id is a device's: of the credentials file or enrolled (taken for enrolment). */
    public boolean knowsDevice(String deviceId) {
        return verticle.devices.knows(deviceId);
    }

    /**
     * Lets devices log in with this enrolment token ({@code enrol.{tokenId}} + secret) until it
     * expires; only its secret's sha256 is kept.
     */
    public void grantEnrolmentToken(String tokenId, String secretSha256, Long expiresMs) {
        verticle.bootstrapTokens.grant(tokenId, secretSha256, expiresMs);
    }

    /** Refuses the token at CONNECT from now on (used up); open sessions stay. */
    public void refuseEnrolmentToken(String tokenId) {
        verticle.bootstrapTokens.withdraw(tokenId);
    }

    /**
     * Refuses the token from now on (revoked) and closes the connections logged in with
     * it. Completes with how many were closed.
     */
    public Future<Integer> withdrawEnrolmentToken(String tokenId) {
        verticle.bootstrapTokens.withdraw(tokenId);
        if (!running) {
            return Future.succeededFuture(0);
        }
        Promise<Integer> done = Promise.promise();
        verticle.context().runOnContext(v -> done.complete(
                verticle.disconnectUser(EnrolmentToken.USERNAME_PREFIX + tokenId)));
        return done.future();
    }

    /** Closes every connection (no wills: the broker is going, not the clients) and the listeners. */
    public Future<Void> close() {
        if (!running) {
            return Future.succeededFuture();
        }
        running = false;
        return vertx.undeploy(deploymentId).onComplete(ar -> LOG.info("embedded MQTT broker stopped"));
    }
}
