package io.c2f.controller.broker;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The last retained message of each topic, in memory only. The publish gate lets only the
 * controller retain, and only on the contract's retained channel ({@code controller/state}), so
 * this holds a message or two and a subscription simply scans it.
 */
final class RetainedStore {
    private final Map<String, BrokerMessage> byTopic = new LinkedHashMap<>();

    /** Keeps the message as the topic's retained one; an empty payload clears the topic (MQTT 3.3.1.3). */
    void put(BrokerMessage message) {
        if (message.payload().length() == 0) {
            byTopic.remove(message.topic());
        } else {
            byTopic.put(message.topic(), message);
        }
    }

    List<BrokerMessage> matching(String filter) {
        List<BrokerMessage> out = new ArrayList<>();
        for (BrokerMessage m : byTopic.values()) {
            if (TopicSyntax.matches(filter, m.topic())) {
                out.add(m);
            }
        }
        return out;
    }

    int size() {
        return byTopic.size();
    }
}
