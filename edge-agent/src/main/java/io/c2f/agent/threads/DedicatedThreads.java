package io.c2f.agent.threads;

import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/** A real device's threads: nothing shared (see {@link AgentThreads#dedicated()}). */
final class DedicatedThreads implements AgentThreads {
    static final DedicatedThreads INSTANCE = new DedicatedThreads();

    private DedicatedThreads() {
    }

    @Override
    public Lane lane(Work work, String name) {
        return new DedicatedLane(name);
    }

    @Override
    public MqttAsyncClient mqttClient(String serverUri, String clientId) throws MqttException {
        return new MqttAsyncClient(serverUri, clientId, new MemoryPersistence());
    }
}
