package io.c2f.controller.enrol;

import io.c2f.proto.v1.ErrorCode;
import io.c2f.proto.v1.ErrorDetail;

/** Why an enrolment request is refused: the typed error the answer carries, naming the request's field. */
record EnrolmentRefusal(ErrorCode code, String field, String message) {
    ErrorDetail detail() {
        return ErrorDetail.newBuilder().setCode(code).setField(field).setMessage(message).build();
    }
}
