package io.c2f.agent.testing;

import java.nio.file.Path;

/** A real MQTT broker owned by one test: Mosquitto (a process) or Moquette (in-process, as the controller embeds it). */
public interface TestBroker extends AutoCloseable {
    String uri();

    int port();

    /** Kills the broker at once. */
    void stop() throws Exception;

    /** Starts it again on the same port. */
    void restart() throws Exception;

    @Override
    void close() throws Exception;

    /** The brokers the agent is tested against. */
    enum Kind {
        MOSQUITTO, MOQUETTE;

        public boolean available() {
            return this == MOQUETTE || MosquittoBroker.available();
        }

        public TestBroker start(Path dir) throws Exception {
            return this == MOSQUITTO ? MosquittoBroker.start(dir) : MoquetteBroker.start(dir);
        }
    }
}
