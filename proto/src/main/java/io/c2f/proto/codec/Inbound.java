package io.c2f.proto.codec;

import com.google.protobuf.Message;
import io.c2f.proto.topic.TopicAddress;
import io.c2f.proto.v1.Header;

/**
 * A decoded, validated message and where it came from.
 *
 * @param address the parsed topic
 * @param message the message, of {@code address.channel().messageType()}
 */
public record Inbound(TopicAddress address, Message message) {

    /** The message as its concrete type. */
    public <M extends Message> M as(Class<M> type) {
        return type.cast(message);
    }

    public Header header() {
        return (Header) message.getField(message.getDescriptorForType().findFieldByNumber(1));
    }
}
