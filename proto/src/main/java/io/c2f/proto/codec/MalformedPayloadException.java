package io.c2f.proto.codec;

import io.c2f.proto.WireException;
import io.c2f.proto.v1.ErrorCode;

/** The payload is not a protobuf encoding of the topic's message type (truncated, garbage, too big). */
public final class MalformedPayloadException extends WireException {
    public MalformedPayloadException(String topic, String message, Throwable cause) {
        super(ErrorCode.ERROR_CODE_MALFORMED_PAYLOAD, topic, message, cause);
    }
}
