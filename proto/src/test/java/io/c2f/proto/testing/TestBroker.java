package io.c2f.proto.testing;

/** A real MQTT broker owned by one test: Mosquitto (a process), or an embedded one, as the controller runs it. */
public interface TestBroker extends AutoCloseable {
    String uri();

    int port();

    /** Kills the broker at once. */
    void stop() throws Exception;

    /** Starts it again on the same port. */
    void restart() throws Exception;

    @Override
    void close() throws Exception;
}
