package io.c2f.agent.threads;

import io.c2f.agent.link.mqtt.MqttConnection;
import io.c2f.agent.link.mqtt.PahoConnection;
import java.io.IOException;

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
    public MqttConnection mqttClient(String serverUri, String clientId) throws IOException {
        return new PahoConnection(serverUri, clientId);
    }
}
