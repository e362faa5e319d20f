package io.c2f.proto.topic;

import io.c2f.proto.WireException;
import io.c2f.proto.v1.ErrorCode;

/** The topic is outside the c2f/v1 namespace, names an unknown channel, or carries an invalid id. */
public final class UnknownTopicException extends WireException {
    public UnknownTopicException(String topic, String reason) {
        super(ErrorCode.ERROR_CODE_UNKNOWN_TOPIC, topic, "topic '" + topic + "': " + reason);
    }
}
