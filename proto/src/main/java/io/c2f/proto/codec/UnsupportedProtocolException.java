package io.c2f.proto.codec;

import io.c2f.proto.WireException;
import io.c2f.proto.v1.ErrorCode;

/** The message has no header, or a protocol major version other than the one this code speaks. */
public final class UnsupportedProtocolException extends WireException {
    public UnsupportedProtocolException(String topic, String message) {
        super(ErrorCode.ERROR_CODE_UNSUPPORTED_PROTOCOL, topic, message);
    }
}
