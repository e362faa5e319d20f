package io.c2f.agent.job;

import io.c2f.proto.v1.ErrorCode;
import io.c2f.proto.v1.ErrorDetail;
import io.c2f.proto.v1.JobStatusUpdate;
import java.util.Optional;

/**
 * A job command the device does not act on, with the typed error it answers. A refused order
 * changes nothing on the device.
 */
public final class OrderRefusedException extends Exception {
    private final ErrorCode code;
    private final String field;
    private final transient Optional<JobStatusUpdate> earlierOutcome;

    OrderRefusedException(ErrorCode code, String field, String message) {
        this(code, field, message, Optional.empty());
    }

    OrderRefusedException(ErrorCode code, String field, String message, Optional<JobStatusUpdate> earlierOutcome) {
        super(message, null, false, false);
        this.code = code;
        this.field = field;
        this.earlierOutcome = earlierOutcome;
    }

    public ErrorDetail toErrorDetail() {
        return ErrorDetail.newBuilder().setCode(code).setField(field).setMessage(getMessage()).build();
    }

    /** For a repeated order of a finished job: that job's final status, to answer again. */
    public Optional<JobStatusUpdate> earlierOutcome() {
        return earlierOutcome;
    }
}
