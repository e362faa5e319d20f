package io.c2f.controller.broker;

import io.vertx.core.Vertx;
import java.util.Map;

/**
 * Routes messages that passed the {@link PublishGate} to the sessions whose subscriptions match
 * (through the {@link SubscriptionIndex}), keeps retained messages, and hands them to new
 * subscriptions. Used from the broker's one context.
 */
final class MessageRouter {
    /** How long an untrusted subscriber (a device) may hold its publisher's PUBACK back. */
    static final long DEVICE_ACK_WAIT_MS = 10_000;

    private final Vertx vertx;
    private final long deviceAckWaitMs;
    private final SubscriptionIndex<Session> index = new SubscriptionIndex<>();
    private final RetainedStore retained = new RetainedStore();

    MessageRouter(Vertx vertx) {
        this(vertx, DEVICE_ACK_WAIT_MS);
    }

    MessageRouter(Vertx vertx, long deviceAckWaitMs) {
        this.vertx = vertx;
        this.deviceAckWaitMs = deviceAckWaitMs;
    }

    /**
     * Delivers a message to every matching session at the lower of its QoS and the granted one,
     * and keeps it if retained. {@code publisher} (QoS 1 only, else null) is held by each online
     * subscriber's delivery; the caller seals it.
     */
    void publish(BrokerMessage message, PublisherAck publisher) {
        if (message.retain()) {
            retained.put(message);
        }
        for (Map.Entry<Session, Integer> e : index.match(message.topic()).entrySet()) {
            e.getKey().deliver(message, Math.min(message.qos(), e.getValue()), false, publisher);
        }
        if (publisher != null && publisher.hasBoundedHolds()) {
            vertx.setTimer(deviceAckWaitMs, t -> publisher.releaseBounded());
        }
    }

    void subscribe(Session session, String filter, int qos) {
        index.add(filter, session, qos);
        session.subscribed(filter, qos);
    }

    /** The retained messages a new subscription gets, with the retain flag set. */
    void sendRetained(Session session, String filter, int qos) {
        for (BrokerMessage m : retained.matching(filter)) {
            session.deliver(m, Math.min(m.qos(), qos), true, null);
        }
    }

    void unsubscribe(Session session, String filter) {
        index.remove(filter, session);
        session.unsubscribed(filter);
    }

    /** Forgets every subscription of a session being discarded. */
    void unsubscribeAll(Session session) {
        for (String filter : Map.copyOf(session.subscriptions()).keySet()) {
            unsubscribe(session, filter);
        }
    }

    int retainedCount() {
        return retained.size();
    }
}
