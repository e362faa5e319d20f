package io.c2f.controller.mqtt;

import com.google.protobuf.Message;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.topic.Direction;
import io.c2f.proto.topic.Topics;
import java.util.Objects;

/**
 * A message for one device, before its header is stamped.
 *
 * @param deviceId the addressee
 * @param channel a controller-to-device channel of device scope
 * @param message of the channel's type; its header is replaced when sent
 */
public record Outbound(String deviceId, Channel channel, Message message) {
    public Outbound {
        if (!Topics.isValidId(deviceId)) {
            throw new IllegalArgumentException("device id must be 1-64 characters of [A-Za-z0-9_.-], got '"
                    + deviceId + "'");
        }
        if (channel.direction() != Direction.CONTROLLER_TO_DEVICE || channel.scope() != Channel.Scope.DEVICE) {
            throw new IllegalArgumentException(channel + " is not a controller-to-device channel of one device");
        }
        if (!channel.messageType().isInstance(Objects.requireNonNull(message))) {
            throw new IllegalArgumentException(channel + " carries " + channel.messageType().getSimpleName()
                    + ", not " + message.getClass().getSimpleName());
        }
    }
}
