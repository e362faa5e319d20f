package io.c2f.proto.topic;

import java.util.Optional;

/**
 * A parsed c2f topic: fleet, channel and, for device-scoped channels, the device id.
 *
 * @param fleet fleet id
 * @param channel the channel
 * @param deviceId device id, or null for fleet-scoped channels
 */
public record TopicAddress(String fleet, Channel channel, String deviceId) {
    public TopicAddress {
        Topics.requireId("fleet", fleet);
        if (channel.scope() == Channel.Scope.DEVICE) {
            Topics.requireId("device id", deviceId);
        } else if (deviceId != null) {
            throw new IllegalArgumentException("channel " + channel + " is fleet-wide and takes no device id");
        }
    }

    public Optional<String> device() {
        return Optional.ofNullable(deviceId);
    }

    /** The topic string. */
    public String topic() {
        return channel.scope() == Channel.Scope.DEVICE
                ? Topics.ROOT + "/" + fleet + "/device/" + deviceId + "/" + channel.suffix()
                : Topics.ROOT + "/" + fleet + "/" + channel.suffix();
    }

    @Override
    public String toString() {
        return topic();
    }
}
