package io.c2f.controller.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.mqtt.messages.MqttPublishMessage;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** PUBACKs leave in the order the PUBLISH packets came, whatever order their processing ends in. */
class InOrderAcksTest {
    private final List<Integer> acked = new ArrayList<>();

    private MqttPublishMessage message(int id, MqttQoS qos) {
        return (MqttPublishMessage) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {MqttPublishMessage.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "ack" -> {
                        acked.add(id);
                        yield null;
                    }
                    case "messageId" -> id;
                    case "qosLevel" -> qos;
                    case "toString" -> "message " + id;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void laterMessagesWaitForEarlierOnes() {
        InOrderAcks acks = new InOrderAcks();
        List<InOrderAcks.Pending> p = new ArrayList<>();
        for (int id = 1; id <= 5; id++) {
            p.add(acks.received(message(id, MqttQoS.AT_LEAST_ONCE)));
        }
        acks.acknowledge(p.get(2));
        acks.acknowledge(p.get(1));
        assertEquals(List.of(), acked, "acknowledged before message 1");
        acks.acknowledge(p.get(0));
        assertEquals(List.of(1, 2, 3), acked);
        acks.acknowledge(p.get(0)); // settled twice: once only
        assertEquals(List.of(1, 2, 3), acked);
        assertEquals(2, acks.waiting());
    }

    @Test
    void aWithheldMessageIsPassedOverWithoutHoldingBackTheRest() {
        InOrderAcks acks = new InOrderAcks();
        InOrderAcks.Pending a = acks.received(message(1, MqttQoS.AT_LEAST_ONCE));
        InOrderAcks.Pending b = acks.received(message(2, MqttQoS.AT_LEAST_ONCE));
        acks.acknowledge(b);
        acks.withhold(a);
        assertEquals(List.of(2), acked);
        assertEquals(0, acks.waiting());
    }

    @Test
    void nothingOfAClosedConnectionIsAcknowledgedOnTheNext() {
        InOrderAcks acks = new InOrderAcks();
        InOrderAcks.Pending old = acks.received(message(7, MqttQoS.AT_LEAST_ONCE));
        acks.connectionClosed();
        InOrderAcks.Pending fresh = acks.received(message(7, MqttQoS.AT_LEAST_ONCE)); // same packet id, redelivered
        acks.acknowledge(old);
        assertEquals(List.of(), acked, "a packet id of the old connection acknowledged on the new one");
        acks.acknowledge(fresh);
        assertEquals(List.of(7), acked);
    }

    @Test
    void atMostOnceMessagesTakeNoPlaceInTheOrder() {
        InOrderAcks acks = new InOrderAcks();
        InOrderAcks.Pending q1 = acks.received(message(1, MqttQoS.AT_LEAST_ONCE));
        InOrderAcks.Pending q0 = acks.received(message(0, MqttQoS.AT_MOST_ONCE));
        acks.acknowledge(q0);
        assertEquals(1, acks.waiting());
        acks.acknowledge(q1);
        assertEquals(List.of(1), acked);
    }
}
