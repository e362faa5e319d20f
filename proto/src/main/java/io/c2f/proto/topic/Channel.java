package io.c2f.proto.topic;

import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.c2f.proto.v1.Birth;
import io.c2f.proto.v1.BundleChunk;
import io.c2f.proto.v1.BundleChunkRequest;
import io.c2f.proto.v1.ControllerState;
import io.c2f.proto.v1.Death;
import io.c2f.proto.v1.DeviceState;
import io.c2f.proto.v1.EnrolmentAnswer;
import io.c2f.proto.v1.EnrolmentRequest;
import io.c2f.proto.v1.ErrorReply;
import io.c2f.proto.v1.GenerateRequest;
import io.c2f.proto.v1.GenerateResult;
import io.c2f.proto.v1.JobCommand;
import io.c2f.proto.v1.JobStatusUpdate;
import io.c2f.proto.v1.RebirthRequest;
import io.c2f.proto.v1.Telemetry;

/**
 * Every channel of the c2f/v1 namespace: its topic suffix, who publishes, QoS, retain, and the one
 * message type it carries. proto/README.md documents the same table for people; a test keeps the
 * two in step.
 */
public enum Channel {
    BIRTH(Scope.DEVICE, "birth", Direction.DEVICE_TO_CONTROLLER, 1, false, Birth.class, Birth.parser()),
    DEATH(Scope.DEVICE, "death", Direction.DEVICE_TO_CONTROLLER, 1, false, Death.class, Death.parser()),
    STATE(Scope.DEVICE, "state", Direction.DEVICE_TO_CONTROLLER, 0, false, DeviceState.class, DeviceState.parser()),
    TELEMETRY(Scope.DEVICE, "telemetry", Direction.DEVICE_TO_CONTROLLER, 1, false, Telemetry.class,
            Telemetry.parser()),
    JOB_STATUS(Scope.DEVICE, "job/status", Direction.DEVICE_TO_CONTROLLER, 1, false, JobStatusUpdate.class,
            JobStatusUpdate.parser()),
    BUNDLE_GET(Scope.DEVICE, "bundle/get", Direction.DEVICE_TO_CONTROLLER, 1, false, BundleChunkRequest.class,
            BundleChunkRequest.parser()),
    GENERATE_RESULT(Scope.DEVICE, "generate/result", Direction.DEVICE_TO_CONTROLLER, 1, false,
            GenerateResult.class, GenerateResult.parser()),
    DEVICE_ERROR(Scope.DEVICE, "error", Direction.DEVICE_TO_CONTROLLER, 1, false, ErrorReply.class,
            ErrorReply.parser()),
    /** Published under the bootstrap login only (see enrol.proto); an enrolled device never uses it. */
    ENROL_REQUEST(Scope.DEVICE, "enrol/request", Direction.DEVICE_TO_CONTROLLER, 1, false,
            EnrolmentRequest.class, EnrolmentRequest.parser()),

    JOB_NOTIFY(Scope.DEVICE, "job/notify", Direction.CONTROLLER_TO_DEVICE, 1, false, JobCommand.class,
            JobCommand.parser()),
    BUNDLE_DATA(Scope.DEVICE, "bundle/data", Direction.CONTROLLER_TO_DEVICE, 1, false, BundleChunk.class,
            BundleChunk.parser()),
    GENERATE_REQUEST(Scope.DEVICE, "generate/request", Direction.CONTROLLER_TO_DEVICE, 1, false,
            GenerateRequest.class, GenerateRequest.parser()),
    REBIRTH(Scope.DEVICE, "cmd/rebirth", Direction.CONTROLLER_TO_DEVICE, 1, false, RebirthRequest.class,
            RebirthRequest.parser()),
    CONTROLLER_ERROR(Scope.DEVICE, "cmd/error", Direction.CONTROLLER_TO_DEVICE, 1, false, ErrorReply.class,
            ErrorReply.parser()),
    /** Retained: a device reconnecting with its bootstrap login reads its current enrolment status. */
    ENROL_ANSWER(Scope.DEVICE, "enrol/answer", Direction.CONTROLLER_TO_DEVICE, 1, true,
            EnrolmentAnswer.class, EnrolmentAnswer.parser()),

    FLEET_REBIRTH(Scope.FLEET, "fleet/rebirth", Direction.CONTROLLER_TO_DEVICE, 1, false, RebirthRequest.class,
            RebirthRequest.parser()),
    CONTROLLER_STATE(Scope.FLEET, "controller/state", Direction.CONTROLLER_TO_DEVICE, 1, true,
            ControllerState.class, ControllerState.parser());

    /** Whether the topic names one device or the whole fleet. */
    public enum Scope { DEVICE, FLEET }

    private final Scope scope;
    private final String suffix;
    private final Direction direction;
    private final int qos;
    private final boolean retained;
    private final Class<? extends Message> messageType;
    private final Parser<? extends Message> parser;

    Channel(Scope scope, String suffix, Direction direction, int qos, boolean retained,
            Class<? extends Message> messageType, Parser<? extends Message> parser) {
        this.scope = scope;
        this.suffix = suffix;
        this.direction = direction;
        this.qos = qos;
        this.retained = retained;
        this.messageType = messageType;
        this.parser = parser;
    }

    public Scope scope() {
        return scope;
    }

    /** Topic levels after {@code c2f/v1/{fleet}/device/{id}/} (device scope) or {@code c2f/v1/{fleet}/}. */
    public String suffix() {
        return suffix;
    }

    public Direction direction() {
        return direction;
    }

    public int qos() {
        return qos;
    }

    public boolean retained() {
        return retained;
    }

    public Class<? extends Message> messageType() {
        return messageType;
    }

    public Parser<? extends Message> parser() {
        return parser;
    }

    /**
     * Whether this channel belongs to the enrolment handshake: used only under a bootstrap login
     * (a device that has no credential yet), never by an enrolled device or in its ACL.
     */
    public boolean enrolment() {
        return this == ENROL_REQUEST || this == ENROL_ANSWER;
    }
}
