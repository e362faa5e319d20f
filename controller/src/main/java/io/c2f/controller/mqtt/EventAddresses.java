package io.c2f.controller.mqtt;

import io.c2f.proto.topic.Channel;
import io.c2f.proto.topic.Direction;
import java.util.Locale;

/** Event bus addresses between the controller's verticles. */
public final class EventAddresses {
    /** Requests to publish an {@link Outbound} message; the reply comes when the broker has it. */
    public static final String OUTBOUND = "c2f.mqtt.outbound";
    /** Request: is the MQTT connection up? Reply: a Boolean. */
    public static final String MQTT_HEALTH = "c2f.mqtt.health";
    /**
     * Published when the controller itself changed what it holds about a device (latency target,
     * schedule decision), so views refresh; body: the device id.
     */
    public static final String DEVICE_CHANGED = "c2f.device.changed";

    private EventAddresses() {
    }

    /** Where decoded messages of a device-to-controller channel are sent, as {@code Inbound} objects. */
    public static String inbound(Channel channel) {
        if (channel.direction() != Direction.DEVICE_TO_CONTROLLER) {
            throw new IllegalArgumentException(channel + " is not published by devices");
        }
        return "c2f.inbound." + channel.name().toLowerCase(Locale.ROOT);
    }
}
