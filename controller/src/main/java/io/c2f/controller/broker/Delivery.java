package io.c2f.controller.broker;

/**
 * One message on its way to one session: queued, or in flight under a packet id until the
 * subscriber's PUBACK. Holds its publisher's {@link PublisherAck} while the subscriber is online.
 */
final class Delivery {
    final BrokerMessage message;
    final int qos;
    /** Set only when the message goes out because of a new subscription (MQTT 3.3.1.3). */
    final boolean retainFlag;
    int packetId;
    private PublisherAck ack;

    Delivery(BrokerMessage message, int qos, boolean retainFlag) {
        this.message = message;
        this.qos = qos;
        this.retainFlag = retainFlag;
    }

    void holdFor(PublisherAck publisher, boolean bounded) {
        this.ack = publisher;
        publisher.hold(this, bounded);
    }

    /** The publisher need not wait for this delivery any more. Idempotent. */
    void settle() {
        PublisherAck a = ack;
        if (a != null) {
            ack = null;
            a.release();
        }
    }
}
