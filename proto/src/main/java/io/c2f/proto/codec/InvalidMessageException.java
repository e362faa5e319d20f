package io.c2f.proto.codec;

import io.c2f.proto.WireException;
import io.c2f.proto.v1.ErrorCode;

/** Well-formed, but a field is missing or has a value the contract does not allow. */
public final class InvalidMessageException extends WireException {
    private final String field;

    public InvalidMessageException(String topic, String field, String message) {
        super(ErrorCode.ERROR_CODE_INVALID_ARGUMENT, topic, message);
        this.field = field;
    }

    @Override
    public String field() {
        return field;
    }
}
