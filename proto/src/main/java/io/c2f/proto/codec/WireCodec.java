package io.c2f.proto.codec;

import io.c2f.proto.WireException;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.topic.TopicAddress;
import io.c2f.proto.topic.Topics;
import io.c2f.proto.topic.UnknownTopicException;
import io.c2f.proto.v1.Header;

/**
 * Decodes and validates what arrives on a c2f topic, and encodes what is sent on one.
 *
 * <p>Every failure is a {@link WireException} naming the topic and the problem; nothing else
 * escapes {@link #decode}, whatever the bytes.
 */
public final class WireCodec {
    /** Protocol major version this code speaks (the "v1" of the topics). */
    public static final int PROTOCOL_MAJOR = 1;
    /** Protocol minor version this code writes. */
    public static final int PROTOCOL_MINOR = 0;
    /** Larger payloads are refused before parsing (a bundle chunk is far smaller). */
    public static final int MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;

    private WireCodec() {
    }

    /**
     * Parses the topic, decodes the payload as the channel's message type and checks the contract.
     *
     * @throws UnknownTopicException the topic is not a c2f/v1 channel
     * @throws MalformedPayloadException the bytes are not a message of the channel's type
     * @throws UnsupportedProtocolException no header, or another protocol major version
     * @throws InvalidMessageException a required field is missing or wrong
     */
    public static Inbound decode(String topic, byte[] payload) throws WireException {
        TopicAddress address = Topics.parse(topic);
        Channel channel = address.channel();
        if (payload == null) {
            throw new MalformedPayloadException(topic, "no payload on " + channel, null);
        }
        if (payload.length > MAX_PAYLOAD_BYTES) {
            throw new MalformedPayloadException(topic, channel + " payload of " + payload.length
                    + " bytes exceeds the limit of " + MAX_PAYLOAD_BYTES, null);
        }
        Message message;
        try {
            message = channel.parser().parseFrom(payload);
        } catch (InvalidProtocolBufferException e) {
            throw new MalformedPayloadException(topic, "payload of " + payload.length + " bytes on " + channel
                    + " is not a valid " + channel.messageType().getSimpleName() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // protobuf documents only InvalidProtocolBufferException; stay typed whatever happens
            throw new MalformedPayloadException(topic, "payload on " + channel + " could not be parsed: " + e, e);
        }
        checkHeader(topic, channel, message);
        MessageRules.check(address, message);
        return new Inbound(address, message);
    }

    /**
     * Encodes a message for a channel after checking it is the channel's type.
     *
     * @throws IllegalArgumentException when the message does not belong on the channel
     */
    public static byte[] encode(Channel channel, Message message) {
        if (!channel.messageType().isInstance(message)) {
            throw new IllegalArgumentException(channel + " carries " + channel.messageType().getSimpleName()
                    + ", not " + message.getClass().getSimpleName());
        }
        return message.toByteArray();
    }

    private static void checkHeader(String topic, Channel channel, Message message)
            throws UnsupportedProtocolException {
        var headerField = message.getDescriptorForType().findFieldByNumber(1);
        if (!message.hasField(headerField)) {
            throw new UnsupportedProtocolException(topic, channel.messageType().getSimpleName()
                    + " on " + channel + " has no header (field 1)");
        }
        Header header = (Header) message.getField(headerField);
        if (header.getProtocolMajor() != PROTOCOL_MAJOR) {
            throw new UnsupportedProtocolException(topic, "protocol major version " + header.getProtocolMajor()
                    + " is not supported (this receiver speaks " + PROTOCOL_MAJOR + ")");
        }
    }
}
