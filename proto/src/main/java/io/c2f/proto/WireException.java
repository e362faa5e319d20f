package io.c2f.proto;

import io.c2f.proto.v1.ErrorCode;
import io.c2f.proto.v1.ErrorDetail;

/**
 * A message from the wire could not be accepted. Subclasses say why; {@link #code()} is the code
 * an {@code ErrorReply} carries for it.
 */
public abstract class WireException extends Exception {
    private final ErrorCode code;
    private final String topic;

    protected WireException(ErrorCode code, String topic, String message) {
        super(message);
        this.code = code;
        this.topic = topic;
    }

    protected WireException(ErrorCode code, String topic, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.topic = topic;
    }

    public ErrorCode code() {
        return code;
    }

    /** The topic the message arrived on. */
    public String topic() {
        return topic;
    }

    /** Dotted path of the offending field, or "" when the problem is not one field. */
    public String field() {
        return "";
    }

    public ErrorDetail toErrorDetail() {
        return ErrorDetail.newBuilder().setCode(code).setMessage(getMessage()).setField(field()).build();
    }
}
