package io.c2f.agent.link.mqtt;

import java.util.Locale;

/** Which MQTT client the simulator's devices use; a real device always uses Paho. */
public enum MqttTransport {
    /** Paho 1.2.5, as a real device: three threads per connected client. */
    PAHO,
    /** Netty's MQTT codec on one shared event loop: no thread per client. */
    NETTY;

    public static MqttTransport parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("MQTT client must be paho or netty, got '" + name + "'", e);
        }
    }
}
