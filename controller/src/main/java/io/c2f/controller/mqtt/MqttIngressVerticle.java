package io.c2f.controller.mqtt;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.c2f.controller.config.TlsSettings;
import io.c2f.controller.metrics.ControllerMetrics;
import io.c2f.proto.codec.HeaderFactory;
import io.c2f.proto.codec.Inbound;
import io.c2f.proto.codec.WireCodec;
import io.c2f.proto.WireException;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.topic.Direction;
import io.c2f.proto.topic.TopicAddress;
import io.c2f.proto.topic.Topics;
import io.c2f.proto.topic.UnknownTopicException;
import io.c2f.proto.v1.ControllerState;
import io.c2f.proto.v1.EnrolmentAnswer;
import io.c2f.proto.v1.EnrolmentStatus;
import io.c2f.proto.v1.ErrorReply;
import io.c2f.proto.v1.RebirthRequest;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.net.KeyStoreOptions;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import io.vertx.mqtt.messages.MqttConnAckMessage;
import io.vertx.mqtt.messages.MqttPublishMessage;
import java.net.URI;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's one MQTT connection: receives what devices publish, decodes it with
 * {@link WireCodec} and forwards each typed message on the event bus
 * ({@link EventAddresses#inbound}); publishes commands for other verticles
 * ({@link EventAddresses#OUTBOUND}).
 *
 * <p>Why the Vert.x MQTT client rather than Paho: it runs on this verticle's event loop, so
 * decoding, forwarding and publishing need no thread hand-off, and every operation is a Future.
 * Its limits are acceptable for a controller: MQTT 3.1.1 only (the contract needs nothing more;
 * shared subscriptions are just a topic filter to it), no automatic reconnect (done here, with
 * backoff), and an 8092 B default message limit (raised to the codec's 16 MiB).
 *
 * <p>Sparkplug "primary host" duties: the retained {@code controller/state} says online, with a
 * Last Will saying offline; after a connect without a stored session (first start, broker lost
 * its state) a {@code fleet/rebirth} asks every device for a fresh birth, so liveness is rebuilt.
 */
public final class MqttIngressVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(MqttIngressVerticle.class);
    private static final int MAX_MESSAGE_BYTES = WireCodec.MAX_PAYLOAD_BYTES + 64 * 1024;
    /** QoS 1 publishes the client keeps unacknowledged (bundle chunks go out in bursts; its default is 10). */
    static final int MAX_IN_FLIGHT = 1000;
    /** QoS 1 publishes that may wait for one of those places (a rebirth storm of a large fleet). */
    static final int MAX_WAITING = 100_000;
    private static final long MAX_BACKOFF_MS = 30_000;
    private static final DeliveryOptions TELEMETRY_DELIVERY =
            new DeliveryOptions().setSendTimeout(600_000);

    private final MqttSettings settings;
    private final String brokerUrl;
    private final ControllerMetrics metrics;
    private final Topics topics;
    private final HeaderFactory headers;
    private final Map<Integer, Promise<Void>> awaitingAck = new HashMap<>();
    private final PublishWindow window = new PublishWindow(MAX_IN_FLIGHT, MAX_WAITING);
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong retainedIgnored = new AtomicLong();
    private MqttClient client;
    private boolean connected;
    private final InOrderAcks acks = new InOrderAcks();
    private boolean stopping;
    /** Set by {@link #stopIntake()}: what arrives now is left unacknowledged for the next start. */
    private boolean intakeStopped;
    private boolean leftShareGroup;
    private boolean firstConnect = true;
    private long bdSeq = System.currentTimeMillis();
    private int attempt;
    private long reconnectTimer = -1;

    /**
     * @param brokerUrl {@code tcp://host:port} or {@code ssl://host:port} (the embedded broker's
     *     real address when it picked its own port)
     */
    public MqttIngressVerticle(MqttSettings settings, String brokerUrl, ControllerMetrics metrics) {
        this.settings = settings;
        this.brokerUrl = brokerUrl;
        this.metrics = metrics;
        this.topics = Topics.fleet(settings.fleet());
        this.headers = new HeaderFactory(settings.instanceId());
    }

    @Override
    public Future<?> start() {
        LocalCodec.registerOn(vertx);
        MessageConsumer<Outbound> out = vertx.eventBus().consumer(EventAddresses.OUTBOUND, msg ->
                publish(msg.body()).onComplete(ar -> {
                    if (ar.succeeded()) {
                        msg.reply(null);
                    } else {
                        msg.fail(503, ar.cause().getMessage());
                    }
                }));
        MessageConsumer<Object> health = vertx.eventBus().consumer(EventAddresses.MQTT_HEALTH,
                msg -> msg.reply(connected));
        // fail the start when the broker is not there at all: a misconfigured URL should not look healthy;
        // but a connection dropped right after CONNACK (seen with Moquette 0.17 under load) is retried
        return Future.all(out.completion(), health.completion()).compose(v -> connectAtStart(3));
    }

    private Future<Void> connectAtStart(int attemptsLeft) {
        return connect().recover(e -> {
            if (attemptsLeft <= 1) {
                return Future.failedFuture(e);
            }
            LOG.warn("first connection to {} failed ({}); retrying", brokerUrl, e.getMessage());
            if (reconnectTimer != -1) { // the close handler scheduled its own reconnect: this retry replaces it
                vertx.cancelTimer(reconnectTimer);
                reconnectTimer = -1;
            }
            Promise<Void> later = Promise.promise();
            vertx.setTimer(300, t -> connectAtStart(attemptsLeft - 1).onComplete(later));
            return later.future();
        });
    }

    /** The MQTT client id: stable per instance, so the broker keeps our session across restarts. */
    public String clientId() {
        return settings.clientId();
    }

    private Future<Void> connect() {
        URI uri = URI.create(brokerUrl);
        bdSeq++;
        headers.newSession(bdSeq);
        ControllerState will = ControllerState.newBuilder().setHeader(headers.forWill()).setOnline(false)
                .setInstanceId(settings.instanceId()).build();
        MqttClientOptions options = new MqttClientOptions()
                .setClientId(clientId())
                .setAutoGeneratedClientId(false)
                // the broker queues QoS 1 telemetry for us while we restart
                .setCleanSession(false)
                .setKeepAliveInterval(30)
                .setMaxMessageSize(MAX_MESSAGE_BYTES)
                .setMaxInflightQueue(MAX_IN_FLIGHT)
                .setWillFlag(true)
                .setWillTopic(topics.fleetWide(Channel.CONTROLLER_STATE))
                .setWillMessageBytes(Buffer.buffer(WireCodec.encode(Channel.CONTROLLER_STATE, will)))
                .setWillQoS(1)
                .setWillRetain(true);
        // PUBACK only once a message was handed over (see onMessage), so one that arrives during a
        // shutdown stays with the broker, which sends it again when this persistent session resumes
        options.setAutoAck(false);
        if (!settings.username().isEmpty()) {
            options.setUsername(settings.username()).setPassword(settings.password());
        }
        if ("ssl".equalsIgnoreCase(uri.getScheme())) {
            options.setSsl(true);
            // the broker's certificate must name the host we dial (as HTTPS checks it)
            options.setHostnameVerificationAlgorithm("HTTPS");
            TlsSettings tls = settings.tls();
            String trust = tls.mqttTruststore();
            String password = tls.mqttTruststorePassword();
            if (trust.isEmpty() && settings.embeddedBroker()) {
                trust = tls.brokerKeystore(); // our own broker: trust its certificate
                password = tls.brokerKeystorePassword();
            }
            if (!trust.isEmpty()) {
                options.setTrustOptions(new KeyStoreOptions()
                        .setType(TlsSettings.keystoreType(trust)).setPath(trust).setPassword(password));
            }
        }
        MqttClient c = MqttClient.create(vertx, options);
        c.publishHandler(this::onMessage);
        c.publishCompletionHandler(id -> settle(id, null));
        c.publishCompletionExpirationHandler(id -> settle(id, "no PUBACK for packet " + id));
        c.subscribeCompletionHandler(ack -> {
            for (int granted : ack.grantedQoSLevels()) {
                if (granted == 0x80) {
                    LOG.error("broker refused one of the controller's subscriptions (SUBACK {}): check the ACL "
                            + "of user '{}'", ack.grantedQoSLevels(), settings.username());
                }
            }
        });
        c.closeHandler(v -> onClosed(c));
        client = c;
        return c.connect(uri.getPort(), uri.getHost())
                .recover(e -> Future.failedFuture(new MqttUnavailableException("cannot connect to MQTT broker "
                        + brokerUrl + " as " + clientId() + ": " + e.getMessage(), e)))
                .compose(this::onConnected);
    }

    private Future<Void> onConnected(MqttConnAckMessage ack) {
        connected = true;
        attempt = 0;
        metrics.reportMqttConnected(true);
        Map<String, Integer> filters = new LinkedHashMap<>();
        for (String filter : topics.controllerSubscriptions()) {
            filters.put(isShareable(filter) && !settings.sharedGroup().isEmpty()
                    ? Topics.shared(settings.sharedGroup(), filter) : filter, 1);
        }
        boolean rebirth = firstConnect || !ack.isSessionPresent();
        firstConnect = false;
        LOG.info("connected to {} as {} (session {}, bdSeq {})", brokerUrl, clientId(),
                ack.isSessionPresent() ? "resumed" : "new", bdSeq);
        return client.subscribe(filters)
                .compose(id -> publishFleetWide(Channel.CONTROLLER_STATE, ControllerState.newBuilder()
                        .setOnline(true).setInstanceId(settings.instanceId()).build()))
                .compose(v -> rebirth
                        ? publishFleetWide(Channel.FLEET_REBIRTH, RebirthRequest.newBuilder()
                                .setReason("controller " + settings.instanceId() + " (re)started").build())
                        : Future.succeededFuture());
    }

    /**
     * Channels one instance of a scaled-out group handles alone: telemetry (de-duplicated in the
     * database) and chunk requests (answered from the shared database and payload store). Births,
     * deaths, heartbeats and job statuses go to every instance: each keeps its own liveness view,
     * and the rollout's driver must hear its devices whichever instance holds the lease.
     */
    private boolean isShareable(String filter) {
        return filter.equals(topics.allDevices(Channel.TELEMETRY))
                || filter.equals(topics.allDevices(Channel.BUNDLE_GET));
    }

    private void onClosed(MqttClient c) {
        if (c != client) {
            return;
        }
        boolean was = connected;
        connected = false;
        failAwaiting("MQTT connection to " + brokerUrl + " closed");
        acks.connectionClosed();
        if (was) {
            metrics.reportMqttConnected(false);
        }
        if (stopping) {
            return;
        }
        long delay = Math.min(MAX_BACKOFF_MS, 500L << Math.min(attempt++, 6));
        LOG.warn("MQTT connection to {} lost; reconnecting in {} ms", brokerUrl, delay);
        reconnectTimer = vertx.setTimer(delay, t -> {
            reconnectTimer = -1;
            if (!stopping) {
                connect().onFailure(e -> {
                    LOG.warn("{}", e.getMessage());
                    onClosed(client);
                });
            }
        });
    }

    private void onMessage(MqttPublishMessage msg) {
        if (intakeStopped) {
            return; // no PUBACK: the broker redelivers it to this session after the restart
        }
        InOrderAcks.Pending ack = acks.received(msg);
        String topic = msg.topicName();
        byte[] payload = msg.payload().getBytes();
        Inbound inbound;
        try {
            inbound = WireCodec.decode(topic, payload);
        } catch (WireException e) {
            acks.acknowledge(ack); // redelivery would not make it valid
            onRejected(topic, e);
            return;
        }
        if (msg.isRetain() && inbound.address().channel().direction() == Direction.DEVICE_TO_CONTROLLER) {
            // the contract never retains what a device sends, so this is a stored copy the broker replays to a
            // new subscription: stale or planted (Mosquitto's and EMQX's ACLs cannot stop a device retaining on
            // its own topics). Acting on it would replay an old birth or death at every controller reconnect.
            acks.acknowledge(ack);
            long n = retainedIgnored.incrementAndGet();
            if (n <= 20 || n % 1000 == 0) {
                LOG.warn("ignored retained message #{} on {}: devices never retain (clear it on the broker)", n, topic);
            }
            return;
        }
        metrics.reportMessageReceived(inbound.address().channel());
        if (inbound.address().channel() == Channel.TELEMETRY) {
            // one consumer (the registry) answers when the record is queued or stored (telemetry.ack); a full
            // write queue delays the answer, and so the PUBACK: the broker's in-flight limit is the back-pressure
            vertx.eventBus().request(EventAddresses.inbound(Channel.TELEMETRY), inbound, TELEMETRY_DELIVERY)
                    .onSuccess(reply -> acks.acknowledge(ack))
                    .onFailure(e -> {
                        acks.withhold(ack);
                        LOG.warn("telemetry on {} not taken ({}): left unacknowledged for redelivery",
                            topic, e.getMessage());
                    });
            return;
        }
        // published, not sent: several verticles follow a channel (births: registry and rollouts)
        vertx.eventBus().publish(EventAddresses.inbound(inbound.address().channel()), inbound);
        acks.acknowledge(ack);
    }

    /**
     * First step of a graceful stop: takes no more messages (they stay with the broker, unacknowledged,
     * for the persistent session of the next start) and leaves the share group, so the other instances
     * get the group's messages; commands can still be published until {@link #stop()}.
     */
    public Future<Void> stopIntake() {
        Promise<Void> done = Promise.promise();
        context.runOnContext(v -> {
            intakeStopped = true;
            leaveShareGroup().onComplete(ar -> done.complete());
        });
        return done.future();
    }

    // Mosquitto keeps routing a share of the group's messages to the persistent session of a member
    // that is gone, where they wait until it comes back
    private Future<Void> leaveShareGroup() {
        List<String> shared = settings.sharedGroup().isEmpty() ? List.of() : topics.controllerSubscriptions()
                .stream().filter(this::isShareable).map(f -> Topics.shared(settings.sharedGroup(), f)).toList();
        if (shared.isEmpty() || !connected || leftShareGroup) {
            return Future.succeededFuture();
        }
        leftShareGroup = true;
        return client.unsubscribe(shared).<Void>mapEmpty().otherwiseEmpty();
    }

    private void onRejected(String topic, WireException e) {
        metrics.reportMessageRejected(e.code());
        long n = rejected.incrementAndGet();
        // a misbehaving device can flood us: log the first ones, then a sample
        if (n <= 20 || n % 1000 == 0) {
            LOG.warn("rejected message #{} on {}: {} ({})", n, topic, e.getMessage(), e.code());
        }
        TopicAddress from;
        try {
            from = Topics.parse(topic);
        } catch (UnknownTopicException notADevice) {
            return;
        }
        if (from.deviceId() == null || !from.fleet().equals(settings.fleet())) {
            return;
        }
        if (from.channel() == Channel.ENROL_REQUEST) {
            // a bootstrap login reads only its enrolment answer: the error goes there (nothing was stored)
            EnrolmentAnswer answer = EnrolmentAnswer.newBuilder().setDeviceId(from.deviceId())
                    .setStatus(EnrolmentStatus.ENROLMENT_STATUS_REJECTED).setReason(e.getMessage())
                    .setError(e.toErrorDetail()).build();
            publish(new Outbound(from.deviceId(), Channel.ENROL_ANSWER, answer))
                    .onFailure(f -> LOG.debug("could not answer {}'s rejected enrolment request: {}", from.deviceId(),
                            f.getMessage()));
            return;
        }
        ErrorReply reply = ErrorReply.newBuilder().setRequestTopic(topic).setError(e.toErrorDetail()).build();
        publish(new Outbound(from.deviceId(), Channel.CONTROLLER_ERROR, reply))
                .onFailure(f -> LOG.debug("could not tell {} about its rejected message: {}", from.deviceId(), f.getMessage()));
    }

    /** Stamps the header and publishes; completes on PUBACK for QoS 1. */
    Future<Void> publish(Outbound out) {
        return publish(topics.device(out.deviceId(), out.channel()), out.channel(), out.message());
    }

    private Future<Void> publishFleetWide(Channel channel, Message message) {
        return publish(topics.fleetWide(channel), channel, message);
    }

    private Future<Void> publish(String topic, Channel channel, Message message) {
        if (!connected) {
            return Future.failedFuture(new MqttUnavailableException("not connected to MQTT broker " + brokerUrl));
        }
        FieldDescriptor header = message.getDescriptorForType().findFieldByNumber(1);
        Message stamped = message.toBuilder().setField(header, headers.next()).build();
        Buffer bytes = Buffer.buffer(WireCodec.encode(channel, stamped));
        MqttQoS qos = MqttQoS.valueOf(channel.qos());
        if (qos == MqttQoS.AT_MOST_ONCE) {
            return client.publish(topic, bytes, qos, false, channel.retained()).mapEmpty();
        }
        MqttClient c = client;
        return window.submit(() -> {
            if (!connected || c != client) {
                return Future.failedFuture(new MqttUnavailableException("not connected to MQTT broker " + brokerUrl));
            }
            return c.publish(topic, bytes, qos, false, channel.retained()).compose(packetId -> {
                Promise<Void> acked = Promise.promise();
                awaitingAck.put(packetId, acked);
                return acked.future();
            });
        });
    }

    private void settle(int packetId, String failure) {
        Promise<Void> p = awaitingAck.remove(packetId);
        if (p != null) {
            if (failure == null) {
                p.complete();
            } else {
                p.fail(new MqttUnavailableException(failure));
            }
        }
    }

    private void failAwaiting(String why) {
        List<Promise<Void>> pending = List.copyOf(awaitingAck.values());
        awaitingAck.clear();
        pending.forEach(p -> p.tryFail(new MqttUnavailableException(why)));
    }

    /** Says offline (a clean disconnect sends no Last Will) and disconnects. */
    @Override
    public Future<?> stop() {
        stopping = true;
        if (reconnectTimer != -1) {
            vertx.cancelTimer(reconnectTimer);
        }
        if (!connected) {
            return Future.succeededFuture();
        }
        MqttClient c = client;
        intakeStopped = true;
        Future<?> left = leaveShareGroup();
        return left.otherwiseEmpty().compose(v -> publishFleetWide(Channel.CONTROLLER_STATE, ControllerState.newBuilder().setOnline(false)
                .setInstanceId(settings.instanceId()).build()))
                .timeout(2, TimeUnit.SECONDS)
                .otherwiseEmpty()
                .compose(v -> c.disconnect())
                .otherwiseEmpty();
    }
}
