package io.c2f.controller.enrol;

import io.c2f.controller.config.TlsSettings;
import io.c2f.controller.mqtt.MqttSettings;
import io.c2f.proto.enrol.EnrolmentToken;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.topic.Direction;
import io.c2f.proto.topic.Topics;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.KeyStoreOptions;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enrolment on Mosquitto with its dynamic security plugin ({@code broker.enrolment=dynsec}),
 * driven over {@code $CONTROL/dynamic-security/v1} with the controller's own login (the plugin's
 * admin, plus a role publishing on the fleet's topics: deploy/mosquitto/dynsec-setup.sh; it cannot
 * give itself that role: 2.0.11 disconnects a client whose roles change). Mosquitto 2.0.11's dynsec ACLs do
 * not substitute %c or %u (checked against the real binary), so:
 * <ul>
 *   <li>every enrolled device gets a role of its own ({@code c2f-device-{id}}) listing exactly its
 *       topics, from the wire contract as the embedded broker's policy does, and its client is bound
 *       to its client id;</li>
 *   <li>bootstrap logins ({@code enrol.{tokenId}}, one dynsec client per token) share one role
 *       ({@code c2f-bootstrap}) that may publish any id's enrolment request and read any id's
 *       answer: the controller still checks every request (token proof, free id), but a token
 *       holder can read other pending devices' answers (no credential is ever in one).</li>
 * </ul>
 * Disabling or deleting a dynsec client disconnects its open session (checked with 2.0.11). A
 * pending device's client is created at once (the controller keeps only a hash, the plugin needs
 * the password) and left disabled until it is accepted; then it is bound to its client id (so its
 * credential cannot take over another device's session) and enabled.
 */
public final class DynsecAdmission extends VerticleBase implements BrokerAdmission {
    private static final Logger LOG = LoggerFactory.getLogger(DynsecAdmission.class);
    static final String CONTROL_TOPIC = "$CONTROL/dynamic-security/v1";
    static final String RESPONSE_TOPIC = CONTROL_TOPIC + "/response";
    static final String BOOTSTRAP_ROLE = "c2f-bootstrap";
    private static final long ANSWER_TIMEOUT_MS = 10_000;
    private static final long USED_UP_GRACE_MS = 5_000;

    private final MqttSettings settings;
    private final String brokerUrl;
    private final Topics topics;
    private final Map<String, Promise<JsonObject>> awaiting = new HashMap<>();
    private MqttClient client;

    public DynsecAdmission(MqttSettings settings, String brokerUrl) {
        this.settings = settings;
        this.brokerUrl = brokerUrl;
        this.topics = Topics.fleet(settings.fleet());
    }

    @Override
    public Future<?> start() {
        URI uri = URI.create(brokerUrl);
        MqttClientOptions options = new MqttClientOptions().setClientId(settings.clientId() + "-dynsec")
                .setCleanSession(true).setAutoKeepAlive(true).setMaxMessageSize(1 << 20)
                // a fleet enrolling at once sends many commands: the client's default of 10 in flight refused them
                .setMaxInflightQueue(1000);
        if (!settings.username().isEmpty()) {
            options.setUsername(settings.username()).setPassword(settings.password());
        }
        if ("ssl".equalsIgnoreCase(uri.getScheme())) {
            TlsSettings tls = settings.tls();
            options.setSsl(true).setHostnameVerificationAlgorithm("HTTPS");
            if (!tls.mqttTruststore().isEmpty()) {
                options.setTrustOptions(new KeyStoreOptions().setType(TlsSettings.keystoreType(tls.mqttTruststore()))
                        .setPath(tls.mqttTruststore()).setPassword(tls.mqttTruststorePassword()));
            }
        }
        client = MqttClient.create(vertx, options);
        client.publishHandler(m -> onResponse(m.payload()));
        client.closeHandler(v -> {
            failAwaiting("connection to the broker's dynamic security plugin lost");
            if (client != null) {
                vertx.setTimer(1000, t -> reconnect(uri));
            }
        });
        return connect(uri).compose(v -> ensureBootstrapRole());
    }

    private Future<Void> connect(URI uri) {
        return client.connect(uri.getPort(), uri.getHost()).compose(ack -> client.subscribe(RESPONSE_TOPIC, 1))
                .mapEmpty();
    }

    private void reconnect(URI uri) {
        if (client != null && !client.isConnected()) {
            connect(uri).onFailure(e -> {
                LOG.warn("dynamic security control connection: {}; retrying", e.getMessage());
                vertx.setTimer(5000, t -> reconnect(uri));
            });
        }
    }

    @Override
    public Future<?> stop() {
        MqttClient c = client;
        client = null;
        failAwaiting("stopping");
        return c != null && c.isConnected() ? c.disconnect() : Future.succeededFuture();
    }

    /** The role every bootstrap login holds: its enrolment topics, for any id (no %c in 2.0.11's dynsec ACLs). */
    private Future<Void> ensureBootstrapRole() {
        String fleetDevices = "c2f/v1/" + settings.fleet() + "/device/+/";
        JsonArray acls = new JsonArray()
                .add(acl("publishClientSend", fleetDevices + Channel.ENROL_REQUEST.suffix()))
                .add(acl("subscribePattern", fleetDevices + Channel.ENROL_ANSWER.suffix()))
                .add(acl("publishClientReceive", fleetDevices + Channel.ENROL_ANSWER.suffix()));
        return idempotent(command("createRole").put("rolename", BOOTSTRAP_ROLE).put("acls", acls), "already exists");
    }

    // ---- BrokerAdmission: each call hops onto this verticle's context, where the client lives

    @Override
    public Future<Void> tokenUsable(TokenRecord token, String secret) {
        if (secret == null) {
            return Future.succeededFuture(); // the plugin keeps its own clients across restarts
        }
        String user = EnrolmentToken.USERNAME_PREFIX + token.id();
        return onContext(() -> send(command("createClient").put("username", user).put("password", secret)
                .put("textname", "c2f enrolment token " + token.id())
                .put("roles", new JsonArray().add(new JsonObject().put("rolename", BOOTSTRAP_ROLE)))));
    }

    @Override
    public Future<Void> tokenUnusable(String tokenId) {
        // deleting a client disconnects its sessions
        return onContext(() -> idempotent(command("deleteClient").put("username", EnrolmentToken.USERNAME_PREFIX
                + tokenId), "not found"));
    }

    /**
     * The plugin cannot refuse new logins but keep open ones: the client goes a few seconds later, so
     * the device accepted with the token's last use can read its answer first (the controller refuses
     * requests with the used-up token meanwhile).
     */
    @Override
    public Future<Void> tokenUsedUp(String tokenId) {
        vertx.setTimer(USED_UP_GRACE_MS, t -> tokenUnusable(tokenId).onFailure(e ->
                LOG.warn("could not delete the used-up enrolment token's client enrol.{}: {}", tokenId, e.getMessage())));
        return Future.succeededFuture();
    }

    @Override
    public boolean deviceIdTaken(String deviceId) {
        return false; // a dynsec client of that name makes devicePending's createClient fail: refused as taken
    }

    @Override
    public Future<Void> devicePending(String deviceId, String credential) {
        // never deletes a client first: one of that name that is not a pending enrolment's makes this fail (id taken)
        // bound to its client id only on acceptance: binding kicks the connection of that client id (2.0.11), here
        // the device's own bootstrap session
        return onContext(() -> send(command("createClient").put("username", deviceId).put("password", credential)
                        .put("textname", "c2f device (enrolment pending)"))
                .compose(v -> send(command("disableClient").put("username", deviceId))));
    }

    @Override
    public Future<Void> deviceAccepted(String deviceId, String credentialHash) {
        String role = deviceRole(deviceId);
        return onContext(() -> idempotent(command("createRole").put("rolename", role).put("acls", deviceAcls(deviceId)),
                "already exists")
                .compose(v -> idempotent(command("addClientRole").put("username", deviceId).put("rolename", role),
                        "already"))
                .compose(v -> send(command("setClientId").put("username", deviceId).put("clientid", deviceId)))
                .compose(v -> send(command("enableClient").put("username", deviceId))));
    }

    @Override
    public Future<Void> deviceRevoked(String deviceId) {
        return onContext(() -> idempotent(command("deleteClient").put("username", deviceId), "not found")
                .compose(v -> idempotent(command("deleteRole").put("rolename", deviceRole(deviceId)), "not found")));
    }

    @Override
    public String kind() {
        return "dynsec";
    }

    static String deviceRole(String deviceId) {
        return "c2f-device-" + deviceId;
    }

    /** Exactly the device's topics of the wire contract: what DeviceTopicPolicy allows an enrolled device. */
    JsonArray deviceAcls(String deviceId) {
        JsonArray acls = new JsonArray();
        for (Channel c : Channel.values()) {
            if (c.scope() == Channel.Scope.DEVICE && c.direction() == Direction.DEVICE_TO_CONTROLLER && !c.enrolment()) {
                acls.add(acl("publishClientSend", topics.device(deviceId, c)));
            }
        }
        for (String t : topics.deviceSubscriptions(deviceId)) {
            acls.add(acl("subscribeLiteral", t));
        }
        return acls;
    }

    private static JsonObject acl(String type, String topic) {
        return new JsonObject().put("acltype", type).put("topic", topic).put("allow", true);
    }

    private static JsonObject command(String name) {
        return new JsonObject().put("command", name);
    }

    private <T> Future<T> onContext(Supplier<Future<T>> work) {
        Promise<T> p = Promise.promise();
        context.runOnContext(v -> work.get().onComplete(p));
        return p.future();
    }

    /** Sends a command; an error answer whose text contains {@code harmless} counts as done. */
    private Future<Void> idempotent(JsonObject command, String harmless) {
        return send(command).recover(e -> e instanceof DynsecException d && d.getMessage().toLowerCase(Locale.ROOT).contains(harmless)
                ? Future.succeededFuture() : Future.failedFuture(e));
    }

    private Future<Void> send(JsonObject command) {
        if (client == null || !client.isConnected()) {
            return Future.failedFuture(new DynsecException("not connected to the broker's dynamic security plugin at "
                    + brokerUrl));
        }
        String correlation = UUID.randomUUID().toString();
        command.put("correlationData", correlation);
        Promise<JsonObject> answer = Promise.promise();
        awaiting.put(correlation, answer);
        long timer = vertx.setTimer(ANSWER_TIMEOUT_MS, t -> {
            Promise<JsonObject> p = awaiting.remove(correlation);
            if (p != null) {
                p.tryFail(new DynsecException("no answer to " + command.getString("command") + " within "
                        + ANSWER_TIMEOUT_MS + " ms (is the controller's login in the plugin's admin role?)"));
            }
        });
        Buffer body = new JsonObject().put("commands", new JsonArray().add(command)).toBuffer();
        return client.publish(CONTROL_TOPIC, body, MqttQoS.AT_LEAST_ONCE, false, false)
                .compose(id -> answer.future())
                .eventually(() -> {
                    vertx.cancelTimer(timer);
                    return Future.succeededFuture();
                })
                .compose(r -> {
                    String error = r.getString("error");
                    if (error != null) {
                        return Future.failedFuture(new DynsecException(command.getString("command") + " "
                                + subject(command) + ": " + error));
                    }
                    return Future.succeededFuture();
                });
    }

    /** Whom a command is about, for messages (never the password). */
    private static String subject(JsonObject command) {
        return command.containsKey("username") ? "'" + command.getString("username") + "'"
                : "'" + command.getString("rolename") + "'";
    }

    private void onResponse(Buffer payload) {
        JsonArray responses;
        try {
            responses = payload.toJsonObject().getJsonArray("responses");
        } catch (RuntimeException e) {
            LOG.warn("unreadable dynamic security response: {}", e.getMessage());
            return;
        }
        if (responses == null) {
            return;
        }
        for (Object o : responses) {
            if (o instanceof JsonObject r) {
                Promise<JsonObject> p = awaiting.remove(r.getString("correlationData", ""));
                if (p != null) {
                    p.tryComplete(r);
                }
            }
        }
    }

    private void failAwaiting(String why) {
        List<Promise<JsonObject>> pending = List.copyOf(awaiting.values());
        awaiting.clear();
        pending.forEach(p -> p.tryFail(new DynsecException(why)));
    }

    /** The plugin refused a command, or did not answer. */
    static final class DynsecException extends RuntimeException {
        DynsecException(String message) {
            super(message, null, false, false);
        }
    }
}
