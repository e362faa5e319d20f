package io.c2f.controller.mqtt;

/** The MQTT broker cannot be reached, or the connection went away before a publish was acknowledged. */
public final class MqttUnavailableException extends RuntimeException {
    public MqttUnavailableException(String message) {
        super(message);
    }

    public MqttUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
