package io.c2f.controller.broker;

import io.vertx.core.buffer.Buffer;

/**
 * One application message as the broker routes it; shared, never changed, by every session it goes to.
 *
 * @param qos 0 or 1 (the c2f contract uses no QoS 2)
 */
record BrokerMessage(String topic, Buffer payload, int qos, boolean retain) {
}
