package io.c2f.proto.codec;

import com.google.protobuf.Message;
import io.c2f.proto.DeviceCapabilities;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.topic.TopicAddress;
import io.c2f.proto.v1.Birth;
import io.c2f.proto.v1.BundleChunk;
import io.c2f.proto.v1.BundleChunkRequest;
import io.c2f.proto.v1.ControllerState;
import io.c2f.proto.v1.Death;
import io.c2f.proto.v1.DeviceState;
import io.c2f.proto.v1.EnrolmentAnswer;
import io.c2f.proto.v1.EnrolmentRequest;
import io.c2f.proto.v1.EnrolmentStatus;
import io.c2f.proto.v1.ErrorReply;
import io.c2f.proto.v1.GenerateRequest;
import io.c2f.proto.v1.GenerateResult;
import io.c2f.proto.v1.JobCommand;
import io.c2f.proto.v1.JobState;
import io.c2f.proto.v1.JobStatusUpdate;
import io.c2f.proto.v1.Telemetry;
import io.c2f.proto.topic.Topics;
import java.util.regex.Pattern;

/** What each message must contain beyond being parseable: the contract's required fields. */
final class MessageRules {
    /** Most images one generate request may ask for; keeps a result under broker size limits. */
    static final int MAX_GENERATE_COUNT = 64;
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
    /** A device-generated password: at least 32 random bytes as base64url (43 characters), at most 128. */
    private static final Pattern CREDENTIAL = Pattern.compile("[A-Za-z0-9_-]{43,128}");

    private MessageRules() {
    }

    static void check(TopicAddress address, Message message) throws InvalidMessageException {
        String topic = address.topic();
        Channel channel = address.channel();
        switch (channel) {
            case BIRTH -> {
                Birth b = (Birth) message;
                sameDevice(address, "device_id", b.getDeviceId());
                String problem = DeviceCapabilities.problemWith(b.getCapabilitiesList());
                if (problem != null) {
                    throw new InvalidMessageException(topic, "capabilities", problem);
                }
            }
            case DEATH -> sameDevice(address, "device_id", ((Death) message).getDeviceId());
            case STATE -> sameDevice(address, "device_id", ((DeviceState) message).getDeviceId());
            case TELEMETRY -> {
                Telemetry t = (Telemetry) message;
                sameDevice(address, "device_id", t.getDeviceId());
                if (t.getRecordCase() == Telemetry.RecordCase.RECORD_NOT_SET) {
                    throw new InvalidMessageException(topic, "record", "telemetry carries no record "
                            + "(one of generation, aggregate, facts is required)");
                }
            }
            case JOB_STATUS -> {
                JobStatusUpdate u = (JobStatusUpdate) message;
                sameDevice(address, "device_id", u.getDeviceId());
                required(topic, "job_id", u.getJobId());
                if (u.getState() == JobState.JOB_STATE_UNSPECIFIED) {
                    throw new InvalidMessageException(topic, "state", "job status update has no state");
                }
                if (u.getProgressPercent() > 100) {
                    throw new InvalidMessageException(topic, "progress_percent",
                            "progress_percent " + u.getProgressPercent() + " is over 100");
                }
            }
            case BUNDLE_GET -> required(topic, "bundle_id", ((BundleChunkRequest) message).getBundleId());
            case GENERATE_RESULT -> {
                GenerateResult r = (GenerateResult) message;
                required(topic, "request_id", r.getRequestId());
                if (r.getImagesCount() == 0 && !r.hasError()) {
                    throw new InvalidMessageException(topic, "images", "generate result has neither images nor error");
                }
                if (r.getImagesCount() > 0 && r.hasError()) {
                    throw new InvalidMessageException(topic, "error", "generate result has both images and error");
                }
            }
            case DEVICE_ERROR, CONTROLLER_ERROR -> {
                if (!((ErrorReply) message).hasError()) {
                    throw new InvalidMessageException(topic, "error", "error reply carries no error detail");
                }
            }
            case JOB_NOTIFY -> {
                JobCommand c = (JobCommand) message;
                required(topic, "job_id", c.getJobId());
                if (c.getActionCase() == JobCommand.ActionCase.ACTION_NOT_SET) {
                    throw new InvalidMessageException(topic, "action", "job command carries no action "
                            + "(one of install_bundle, apply_schedule, cancel is required)");
                }
            }
            case BUNDLE_DATA -> {
                BundleChunk c = (BundleChunk) message;
                required(topic, "bundle_id", c.getBundleId());
                if (c.getCount() == 0 || c.getIndex() >= c.getCount()) {
                    throw new InvalidMessageException(topic, "index",
                            "chunk index " + c.getIndex() + " is not below count " + c.getCount());
                }
                if (!SHA256_HEX.matcher(c.getSha256()).matches()) {
                    throw new InvalidMessageException(topic, "sha256",
                            "chunk sha256 must be 64 lowercase hex digits, got '" + c.getSha256() + "'");
                }
            }
            case GENERATE_REQUEST -> {
                GenerateRequest g = (GenerateRequest) message;
                required(topic, "request_id", g.getRequestId());
                if (g.getCount() < 1 || g.getCount() > MAX_GENERATE_COUNT) {
                    throw new InvalidMessageException(topic, "count",
                            "count must be 1.." + MAX_GENERATE_COUNT + ", got " + g.getCount());
                }
            }
            case ENROL_REQUEST -> {
                EnrolmentRequest r = (EnrolmentRequest) message;
                sameDevice(address, "device_id", r.getDeviceId());
                required(topic, "request_id", r.getRequestId());
                if (!Topics.isValidId(r.getTokenId())) {
                    throw new InvalidMessageException(topic, "token_id",
                            "token_id must be 1-64 characters of [A-Za-z0-9_.-], got '" + r.getTokenId() + "'");
                }
                if (!CREDENTIAL.matcher(r.getCredential()).matches()) {
                    // never echo the credential itself: say only what is wrong with its form
                    throw new InvalidMessageException(topic, "credential", "credential must be 43-128 base64url "
                            + "characters (at least 32 random bytes), got " + r.getCredential().length() + " characters");
                }
                if (r.getTokenProof().size() != 32) {
                    throw new InvalidMessageException(topic, "token_proof",
                            "token_proof must be 32 bytes (HMAC-SHA256), got " + r.getTokenProof().size());
                }
            }
            case ENROL_ANSWER -> {
                EnrolmentAnswer a = (EnrolmentAnswer) message;
                sameDevice(address, "device_id", a.getDeviceId());
                if (a.getStatus() == EnrolmentStatus.ENROLMENT_STATUS_UNSPECIFIED) {
                    throw new InvalidMessageException(topic, "status", "enrolment answer has no status");
                }
            }
            case CONTROLLER_STATE -> required(topic, "instance_id", ((ControllerState) message).getInstanceId());
            case REBIRTH, FLEET_REBIRTH -> {
                // nothing beyond the header
            }
            default -> throw new IllegalStateException("no rules for channel " + channel);
        }
    }

    private static void sameDevice(TopicAddress address, String field, String deviceId)
            throws InvalidMessageException {
        if (!address.deviceId().equals(deviceId)) {
            throw new InvalidMessageException(address.topic(), field, field + " '" + deviceId
                    + "' does not match the device id '" + address.deviceId() + "' of the topic");
        }
    }

    private static void required(String topic, String field, String value) throws InvalidMessageException {
        if (value.isEmpty()) {
            throw new InvalidMessageException(topic, field, field + " is required");
        }
    }
}
