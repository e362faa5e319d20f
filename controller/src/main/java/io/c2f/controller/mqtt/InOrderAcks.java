package io.c2f.controller.mqtt;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.mqtt.messages.MqttPublishMessage;
import java.util.ArrayDeque;

/**
 * Sends the PUBACKs of one connection in the order its PUBLISH packets came, as MQTT 3.1.1 asks of
 * a client (4.6, [MQTT-4.6.0-2]), although telemetry is acknowledged only once the registry has it
 * (queued or stored) and batches of different devices are stored side by side. Mosquitto 2.0.11,
 * given PUBACKs out of order while its in-flight window to us was full, delivered queued messages
 * out of order (a device's records 15..46 after 47): the store counted them as gaps and reported
 * losses that were not (issue 18's ingest benchmark on PostgreSQL, two telemetry writers).
 *
 * <p>Not thread-safe: used on the ingress's event loop. A message that is not to be acknowledged
 * (left for redelivery) is passed over without holding back the ones after it.
 */
final class InOrderAcks {
    /** One received message waiting for its turn to be acknowledged. */
    static final class Pending {
        private final MqttPublishMessage message;
        private final long connection;
        private boolean settled;
        private boolean acknowledge;

        private Pending(MqttPublishMessage message, long connection) {
            this.message = message;
            this.connection = connection;
        }
    }

    private final ArrayDeque<Pending> order = new ArrayDeque<>();
    private long connection;

    /** Takes its place in the connection's order (QoS 0 messages have no acknowledgement and take none). */
    Pending received(MqttPublishMessage message) {
        Pending p = new Pending(message, connection);
        if (message.qosLevel() == MqttQoS.AT_MOST_ONCE) {
            p.settled = true;
        } else {
            order.add(p);
        }
        return p;
    }

    /** Acknowledges the message once every earlier one of its connection is settled. */
    void acknowledge(Pending p) {
        settle(p, true);
    }

    /** Leaves the message unacknowledged (the broker delivers it again to the next session). */
    void withhold(Pending p) {
        settle(p, false);
    }

    /**
     * The connection is gone: what it did not acknowledge the broker delivers again, with new packet
     * ids, so nothing of it may be acknowledged on the next connection.
     */
    void connectionClosed() {
        order.clear();
        connection++;
    }

    /** Messages received and not yet settled or passed. */
    int waiting() {
        return order.size();
    }

    private void settle(Pending p, boolean acknowledge) {
        if (p.settled || p.connection != connection) {
            return;
        }
        p.settled = true;
        p.acknowledge = acknowledge;
        while (!order.isEmpty() && order.peek().settled) {
            Pending head = order.poll();
            if (head.acknowledge) {
                head.message.ack();
            }
        }
    }
}
