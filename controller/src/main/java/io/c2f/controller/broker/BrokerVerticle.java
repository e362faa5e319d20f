package io.c2f.controller.broker;

import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.KeyStoreOptions;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.MqttServer;
import io.vertx.mqtt.MqttServerOptions;
import io.vertx.mqtt.MqttWill;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's listeners (plain and/or TLS, on Vert.x's MQTT server) and its CONNECT handling:
 * protocol 3.1 or 3.1.1, a client id, a login, a will that passes the publish gate, then take-over
 * of an older connection with the same client id and the session. All broker state lives on this
 * verticle's one context, so it needs no locks; logins (PBKDF2) run on workers.
 */
final class BrokerVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);
    /** Seconds a new TCP connection may take to send its CONNECT. */
    private static final int CONNECT_TIMEOUT_S = 10;

    private final BrokerSettings settings;
    private final Login login;
    final DeviceAccounts devices;
    final BootstrapTokens bootstrapTokens = new BootstrapTokens();
    private final DeviceTopicPolicy policy;
    private final PublishGate gate;
    final BrokerStats stats = new BrokerStats();
    private final Map<String, ClientConnection> connections = new HashMap<>();
    private final List<MqttServer> servers = new ArrayList<>();
    private MessageRouter router;
    private SessionStore sessions;
    private volatile int plainPort = -1;
    private volatile int tlsPort = -1;
    private volatile boolean listening;
    /**
     * While set, only this client id is admitted: the controller's own connection. Its broker has
     * no store, so after a (re)start a device that got in before the controller subscribed would
     * have its QoS 1 publishes acknowledged to nobody, and dropped from its spool.
     */
    private volatile String reservedFor;

    BrokerVerticle(BrokerSettings settings, DeviceCredentials credentials) {
        this.settings = settings;
        this.policy = new DeviceTopicPolicy(settings.fleet(), settings.adminUser());
        this.gate = new PublishGate(policy);
        this.devices = new DeviceAccounts(credentials);
        this.login = new Login(settings.allowAnonymous(), settings.adminUser(), settings.adminPassword(), devices,
                new BootstrapLogin(bootstrapTokens, devices, System::currentTimeMillis));
    }

    @Override
    public Future<?> start() {
        router = new MessageRouter(vertx);
        sessions = new SessionStore(router, settings.maxInflight(), settings.queueLimit(), stats);
        Future<Void> plain = Future.succeededFuture();
        if (settings.plainPort() >= 0) {
            plain = listen(baseOptions(), settings.plainPort()).map(p -> {
                plainPort = p;
                return null;
            });
        }
        return plain.compose(v -> {
            if (settings.tlsPort() <= 0) {
                return Future.succeededFuture();
            }
            MqttServerOptions tls = baseOptions();
            tls.setSsl(true).setKeyCertOptions(new KeyStoreOptions().setType(settings.keystoreType())
                    .setPath(settings.keystore()).setPassword(settings.keystorePassword()));
            return listen(tls, settings.tlsPort()).map(p -> {
                tlsPort = p;
                return null;
            });
        }).onSuccess(v -> listening = true);
    }

    private MqttServerOptions baseOptions() {
        MqttServerOptions o = new MqttServerOptions();
        o.setHost(settings.host());
        o.setMaxMessageSize(settings.maxMessageBytes());
        o.setAutoClientId(false);
        o.setMaxClientIdLength(128);
        o.setTimeoutOnConnect(CONNECT_TIMEOUT_S);
        return o;
    }

    private Future<Integer> listen(MqttServerOptions options, int port) {
        MqttServer server = MqttServer.create(vertx, options);
        server.endpointHandler(this::onConnect);
        server.exceptionHandler(e -> LOG.debug("MQTT connection failed before CONNECT: {}", e.toString()));
        servers.add(server);
        return server.listen(port, settings.host()).map(MqttServer::actualPort);
    }

    @Override
    public Future<?> stop() {
        listening = false;
        List.copyOf(connections.values()).forEach(ClientConnection::closeQuietly);
        List<Future<Void>> closing = servers.stream().map(MqttServer::close).toList();
        return Future.join(closing);
    }

    private void onConnect(MqttEndpoint endpoint) {
        String clientId = endpoint.clientIdentifier();
        String user = endpoint.auth() == null ? null : endpoint.auth().getUsername();
        // the login runs on a worker: the client may be gone when it answers
        AtomicBoolean gone = new AtomicBoolean();
        endpoint.closeHandler(v -> gone.set(true));
        endpoint.exceptionHandler(e -> LOG.debug("MQTT connection of '{}' failed: {}", clientId, e.toString()));
        int version = endpoint.protocolVersion();
        if (version != 3 && version != 4) {
            refuse(endpoint, MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION, clientId, user,
                    "MQTT protocol level " + version + " (only 3.1 and 3.1.1 are spoken)");
            return;
        }
        if (clientId == null || clientId.isEmpty()) {
            refuse(endpoint, MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED, clientId, user,
                    "empty client id");
            return;
        }
        vertx.executeBlocking(() -> login.authenticate(clientId, endpoint.auth()), false).onComplete(ar -> {
            if (gone.get()) {
                return;
            }
            if (ar.failed()) {
                MqttConnectReturnCode code = ar.cause() instanceof LoginRefusedException r ? r.code()
                        : MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE;
                refuse(endpoint, code, clientId, user, ar.cause().getMessage());
                return;
            }
            admit(endpoint, ar.result());
        });
    }

    private void admit(MqttEndpoint endpoint, Identity identity) {
        String only = reservedFor;
        if (only != null && !only.equals(identity.clientId())) {
            refuse(endpoint, MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE, identity.clientId(),
                    identity.user(), "the controller is not listening yet (starting): try again");
            return;
        }
        MqttWill will = endpoint.will();
        if (will != null && will.isWillFlag()) {
            PublishGate.Refusal refused = gate.check(identity, will.getWillTopic(), will.getWillQos(),
                    will.isWillRetain());
            if (refused != null) {
                refuse(endpoint, MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED, identity.clientId(),
                        identity.user(), "Last Will on '" + TopicSyntax.forLog(will.getWillTopic()) + "': "
                                + refused.reason);
                return;
            }
        }
        ClientConnection older = connections.get(identity.clientId());
        if (older != null && identity.role() == Identity.Role.BOOTSTRAP) {
            // A token holder must not take over a connection by naming its client id: not a device's, and
            // not a pending device's under the same token either (anyone holding the token could knock it
            // offline again and again). The device's own reconnect after a half-open connection waits
            // until the broker drops the old one (keep-alive), retrying with its backoff.
            refuse(endpoint, MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED, identity.clientId(),
                    identity.user(), "client id '" + identity.clientId() + "' is already connected"
                            + (older.user().equals(identity.user()) ? "" : " under another login"));
            return;
        }
        if (older != null) {
            // MQTT 3.1.4-2: the newer connection wins; the older one's will fires as for any lost connection
            older.close("taken over by a new connection with the same client id");
        }
        SessionStore.Opened opened = sessions.open(identity.clientId(), endpoint.isCleanSession());
        endpoint.publishAutoAck(false);
        endpoint.subscriptionAutoAck(false);
        endpoint.autoKeepAlive(true);
        endpoint.accept(opened.present());
        ClientConnection connection = new ClientConnection(endpoint, identity, opened.session(), gate, policy, router,
                sessions, stats, c -> connections.remove(c.clientId(), c));
        connections.put(identity.clientId(), connection);
        connection.start();
    }

    private void refuse(MqttEndpoint endpoint, MqttConnectReturnCode code, String clientId, String user, String why) {
        stats.refusedConnect(clientId, user, why);
        try {
            endpoint.reject(code);
        } catch (IllegalArgumentException | IllegalStateException closed) {
            // the client is gone already
        }
    }

    /** Closes a client's connection (its will fires) and discards its session; false when it had neither. */
    boolean disconnect(String clientId) {
        ClientConnection c = connections.get(clientId);
        if (c != null) {
            c.close("disconnected by the controller");
        }
        Session s = sessions.get(clientId);
        if (s != null) {
            sessions.discard(s);
        }
        return c != null || s != null;
    }

    /**
     * Closes the connection and discards the session of every client logged in with this username
     * (a withdrawn enrolment token's bootstrap logins); how many.
     */
    int disconnectUser(String user) {
        int n = 0;
        for (ClientConnection c : List.copyOf(connections.values())) {
            if (user.equals(c.user())) {
                disconnect(c.clientId());
                n++;
            }
        }
        return n;
    }

    /** Admits only this client id until {@link #openToAll()}. */
    void reserveFor(String clientId) {
        reservedFor = clientId;
    }

    void openToAll() {
        reservedFor = null;
    }

    Context context() {
        return context;
    }

    int plainPort() {
        return plainPort;
    }

    int tlsPort() {
        return tlsPort;
    }

    boolean listening() {
        return listening;
    }
}
