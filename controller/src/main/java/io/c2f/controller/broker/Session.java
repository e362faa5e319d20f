package io.c2f.controller.broker;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The broker's state for one client id (MQTT 3.1.1 section 4.1): its subscriptions, the QoS 1
 * messages in flight to it (at most {@code window}, re-sent with DUP when a persistent session
 * resumes) and those queued behind them or while it is offline (at most {@code queueLimit}; the
 * overflow is dropped and counted). A clean session ends with its connection. Memory only.
 * Used from the broker's one context.
 */
final class Session {
    final String clientId;
    final boolean clean;
    private final int window;
    private final int queueLimit;
    private final BrokerStats stats;
    private final Map<String, Integer> subscriptions = new HashMap<>();
    private final LinkedHashMap<Integer, Delivery> inFlight = new LinkedHashMap<>();
    private final Deque<Delivery> queue = new ArrayDeque<>();
    private Outlet outlet;
    private boolean trusted;
    private int lastPacketId;

    Session(String clientId, boolean clean, int window, int queueLimit, BrokerStats stats) {
        this.clientId = clientId;
        this.clean = clean;
        this.window = window;
        this.queueLimit = queueLimit;
        this.stats = stats;
    }

    boolean online() {
        return outlet != null;
    }

    Map<String, Integer> subscriptions() {
        return Collections.unmodifiableMap(subscriptions);
    }

    void subscribed(String filter, int qos) {
        subscriptions.put(filter, qos);
    }

    void unsubscribed(String filter) {
        subscriptions.remove(filter);
    }

    /**
     * Takes a message for this client. Online: sent now if the window has room, else queued; a QoS 1
     * delivery holds the publisher's PUBACK until this client acknowledges it. Offline (persistent
     * session): QoS 1 is queued, QoS 0 dropped; a device's session releases the publisher at once,
     * the controller's keeps holding it (see {@link #detach}).
     */
    void deliver(BrokerMessage message, int qos, boolean retainFlag, PublisherAck publisher) {
        Delivery d = new Delivery(message, qos, retainFlag);
        if (outlet == null) {
            if (qos == 1) {
                if (publisher != null && trusted) {
                    d.holdFor(publisher, false);
                }
                enqueue(d);
            }
            return;
        }
        if (qos == 0) {
            outlet.send(d, false);
            return;
        }
        if (publisher != null) {
            d.holdFor(publisher, !trusted);
        }
        if (inFlight.size() < window && queue.isEmpty()) {
            sendNew(d);
        } else {
            enqueue(d);
        }
    }

    /** The client's PUBACK. */
    void acknowledged(int packetId) {
        Delivery d = inFlight.remove(packetId);
        if (d != null) {
            d.settle();
            pump();
        }
    }

    /** A connection takes the session over: what was in flight goes again with DUP, then the queue. */
    void attach(Outlet outlet, boolean trusted) {
        this.outlet = outlet;
        this.trusted = trusted;
        for (Delivery d : List.copyOf(inFlight.values())) {
            if (this.outlet == outlet) {
                outlet.send(d, true);
            }
        }
        pump();
    }

    /**
     * The connection is gone. A clean session's messages go with it, and a device's persistent session
     * keeps them without holding their publishers back (the controller's commands to a device that is
     * away are not the controller's to wait for). The controller's persistent session keeps holding
     * its publishers: the broker keeps nothing on disk, so a device is told its telemetry arrived
     * only once the controller itself acknowledged it, even across a reconnect of the controller.
     */
    void detach(Outlet outlet) {
        if (this.outlet != outlet) {
            return; // already taken over
        }
        this.outlet = null;
        if (clean || !trusted) {
            inFlight.values().forEach(Delivery::settle);
            queue.forEach(Delivery::settle);
        }
        if (clean) {
            inFlight.clear();
            queue.clear();
        }
    }

    int queued() {
        return queue.size();
    }

    int inFlight() {
        return inFlight.size();
    }

    /** Drops everything this session holds (the session is being discarded). */
    List<Delivery> drain() {
        List<Delivery> all = new ArrayList<>(inFlight.values());
        all.addAll(queue);
        inFlight.clear();
        queue.clear();
        all.forEach(Delivery::settle);
        return all;
    }

    private void enqueue(Delivery d) {
        if (queue.size() >= queueLimit) {
            d.settle();
            stats.queueOverflow(clientId, queueLimit);
            return;
        }
        queue.add(d);
    }

    private void pump() {
        while (outlet != null && inFlight.size() < window && !queue.isEmpty()) {
            sendNew(queue.poll());
        }
    }

    private void sendNew(Delivery d) {
        d.packetId = nextPacketId();
        inFlight.put(d.packetId, d);
        outlet.send(d, false);
    }

    private int nextPacketId() {
        do {
            lastPacketId = lastPacketId >= 65_535 ? 1 : lastPacketId + 1;
        } while (inFlight.containsKey(lastPacketId));
        return lastPacketId;
    }
}
