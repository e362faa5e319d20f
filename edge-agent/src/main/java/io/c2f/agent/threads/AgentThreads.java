package io.c2f.agent.threads;

import io.c2f.agent.link.mqtt.MqttConnection;
import java.io.IOException;

/**
 * Where an agent's parts run: each asks for its {@link Lane}s and its MQTT client here instead of
 * starting threads of its own. A real device uses {@link #dedicated()}, a thread per lane and Paho's
 * own threads, as the agent always did; the fleet simulator passes {@link SharedThreads}, so that
 * thousands of simulated devices share a few pools.
 */
public interface AgentThreads {
    /** What a lane's tasks do, which decides the pool it borrows from when pools are shared. */
    enum Work {
        /** Short tasks: connecting (blocks up to the connect timeout), timers, telemetry, enrolment. */
        LINK,
        /** Jobs: a bundle install waits for chunks and holds its payload in memory while it runs. */
        JOBS,
        /** Generation: a model runs (or, simulated, sleeps for its cost). */
        GENERATION
    }

    /** A new lane for one part of one device; {@code name} names its thread where it has its own. */
    Lane lane(Work work, String name);

    /** The device's MQTT client (a real device: Paho with in-memory persistence, as the agent always used). */
    MqttConnection mqttClient(String serverUri, String clientId) throws IOException;

    /** A thread per lane and Paho's own threads and ping timer: what a real device runs. */
    static AgentThreads dedicated() {
        return DedicatedThreads.INSTANCE;
    }
}
