package io.c2f.controller.broker;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.MqttTopicSubscription;
import io.vertx.mqtt.MqttWill;
import io.vertx.mqtt.messages.MqttPublishMessage;
import io.vertx.mqtt.messages.MqttSubscribeMessage;
import io.vertx.mqtt.messages.MqttUnsubscribeMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One accepted MQTT connection: its PUBLISH, SUBSCRIBE, UNSUBSCRIBE, PUBACK and DISCONNECT, and its
 * Last Will when it ends any other way (network loss, keep-alive timeout, take-over, a protocol
 * violation). Everything it publishes, the will included, passes the {@link PublishGate}.
 * Runs on the broker's context.
 */
final class ClientConnection implements Outlet {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);

    private final MqttEndpoint endpoint;
    private final Identity identity;
    private final Session session;
    private final PublishGate gate;
    private final DeviceTopicPolicy policy;
    private final MessageRouter router;
    private final SessionStore sessions;
    private final BrokerStats stats;
    private final Consumer<ClientConnection> onEnd;
    private boolean open = true;
    private boolean willDiscarded;

    ClientConnection(MqttEndpoint endpoint, Identity identity, Session session, PublishGate gate,
            DeviceTopicPolicy policy, MessageRouter router, SessionStore sessions, BrokerStats stats,
            Consumer<ClientConnection> onEnd) {
        this.endpoint = endpoint;
        this.identity = identity;
        this.session = session;
        this.gate = gate;
        this.policy = policy;
        this.router = router;
        this.sessions = sessions;
        this.stats = stats;
        this.onEnd = onEnd;
        endpoint.publishHandler(this::onPublish);
        endpoint.publishAcknowledgeHandler(session::acknowledged);
        endpoint.subscribeHandler(this::onSubscribe);
        endpoint.unsubscribeHandler(this::onUnsubscribe);
        // a clean DISCONNECT discards the will (MQTT 3.1.2.5)
        endpoint.disconnectHandler(v -> willDiscarded = true);
        endpoint.closeHandler(v -> ended(true));
        endpoint.exceptionHandler(e -> close("connection error: " + e.getMessage()));
    }

    String clientId() {
        return identity.clientId();
    }

    /** The login's username ("" when anonymous). */
    String user() {
        return identity.user() == null ? "" : identity.user();
    }

    /** Starts delivering: the resumed session's in-flight messages again, then its queue. */
    void start() {
        stats.connected();
        session.attach(this, identity.unrestricted());
    }

    @Override
    public void send(Delivery d, boolean dup) {
        if (!open) {
            return;
        }
        endpoint.publish(d.message.topic(), d.message.payload(), MqttQoS.valueOf(d.qos), dup, d.retainFlag,
                d.qos == 0 ? 0 : d.packetId);
    }

    private void onPublish(MqttPublishMessage msg) {
        String topic = msg.topicName();
        int qos = msg.qosLevel().value();
        PublishGate.Refusal refused = gate.check(identity, topic, qos, msg.isRetain());
        if (refused == PublishGate.Refusal.INVALID_TOPIC || refused == PublishGate.Refusal.QOS_NOT_SUPPORTED) {
            // a protocol violation, or a QoS 2 flow we do not speak: nothing sensible to answer
            stats.deniedPublish(identity, topic, refused.reason + "; closing the connection");
            close(null);
            return;
        }
        if (refused != null) {
            // dropped, but acknowledged like Mosquitto does for MQTT 3.1.1, which has no way to say "refused":
            // closing would make a client with one stale topic reconnect in a loop and lose its good traffic
            stats.deniedPublish(identity, topic, refused.reason);
            if (qos == 1) {
                endpoint.publishAcknowledge(msg.messageId());
            }
            return;
        }
        BrokerMessage message = new BrokerMessage(topic, msg.payload(), qos, msg.isRetain());
        if (qos == 0) {
            router.publish(message, null);
            return;
        }
        int packetId = msg.messageId();
        PublisherAck ack = new PublisherAck(() -> {
            if (open) {
                endpoint.publishAcknowledge(packetId);
            }
        });
        router.publish(message, ack);
        ack.seal();
    }

    private void onSubscribe(MqttSubscribeMessage msg) {
        List<MqttQoS> granted = new ArrayList<>();
        for (MqttTopicSubscription s : msg.topicSubscriptions()) {
            String filter = s.topicName();
            if (!TopicSyntax.isValidFilter(filter)
                    || !(identity.unrestricted() || policy.canSubscribe(filter, identity.user(), identity.clientId()))) {
                stats.deniedSubscription(identity, filter);
                granted.add(MqttQoS.FAILURE);
                continue;
            }
            int qos = Math.min(1, s.qualityOfService().value());
            router.subscribe(session, filter, qos);
            granted.add(MqttQoS.valueOf(qos));
        }
        endpoint.subscribeAcknowledge(msg.messageId(), granted);
        for (int i = 0; i < granted.size(); i++) {
            if (granted.get(i) != MqttQoS.FAILURE) {
                router.sendRetained(session, msg.topicSubscriptions().get(i).topicName(), granted.get(i).value());
            }
        }
    }

    private void onUnsubscribe(MqttUnsubscribeMessage msg) {
        for (String filter : msg.topics()) {
            router.unsubscribe(session, filter);
        }
        endpoint.unsubscribeAcknowledge(msg.messageId());
    }

    /** Closes the connection from the broker's side; the will fires (the client did not say goodbye). */
    void close(String why) {
        if (!open) {
            return;
        }
        if (why != null) {
            LOG.info("broker closes client '{}': {}", TopicSyntax.forLog(clientId()), why);
        }
        ended(true);
        try {
            endpoint.close();
        } catch (IllegalArgumentException alreadyClosed) {
            // the client went first
        }
    }

    /** Closes without a will: the broker itself is stopping. */
    void closeQuietly() {
        willDiscarded = true;
        close(null);
    }

    private void ended(boolean withWill) {
        if (!open) {
            return;
        }
        open = false;
        stats.disconnected();
        onEnd.accept(this);
        if (withWill && !willDiscarded) {
            fireWill();
        }
        session.detach(this);
        if (session.clean) {
            sessions.discard(session);
        }
    }

    /** Belt and braces: the will was checked at CONNECT and is checked again now. */
    private void fireWill() {
        MqttWill will = endpoint.will();
        if (will == null || !will.isWillFlag()) {
            return;
        }
        PublishGate.Refusal refused = gate.check(identity, will.getWillTopic(), will.getWillQos(), will.isWillRetain());
        if (refused != null) {
            stats.deniedPublish(identity, will.getWillTopic(), "Last Will: " + refused.reason);
            return;
        }
        router.publish(new BrokerMessage(will.getWillTopic(), will.getWillMessage(), will.getWillQos(),
                will.isWillRetain()), null);
    }
}
