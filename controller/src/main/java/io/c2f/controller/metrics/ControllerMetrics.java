package io.c2f.controller.metrics;

import io.c2f.proto.topic.Channel;
import io.c2f.proto.v1.ErrorCode;
import java.util.Map;

/**
 * What the controller reports, in domain terms (Hono style): the implementation decides how it
 * becomes Micrometer meters. Calls come from event-loop threads and must not block.
 */
public interface ControllerMetrics {
    /** A message of the channel was decoded and forwarded. */
    void reportMessageReceived(Channel channel);

    /** A message was refused by the codec. */
    void reportMessageRejected(ErrorCode code);

    void reportMqttConnected(boolean connected);

    /** A device went online (birth). */
    void reportDeviceOnline();

    /** A device went offline: death of its current session, or missed heartbeats. */
    void reportDeviceOffline(String reason);

    /** A death or heartbeat from a session that is not the current one was ignored. */
    void reportStaleMessage(Channel channel);

    /** One telemetry record stored (or a duplicate skipped). */
    void reportTelemetry(boolean duplicate);

    /**
     * A telemetry record was stored for the first time (its batch committed). Times are epoch
     * milliseconds: {@code sentAtMs} is the device's clock (its header), {@code receivedAtMs} and
     * {@code storedAtMs} the controller's.
     */
    default void reportTelemetryStored(String deviceId, long telemetrySeq, long sentAtMs, long receivedAtMs,
            long storedAtMs) {
    }

    /** Records known lost: dropped by the device's spool, or a gap in telemetry_seq. */
    void reportTelemetryLost(long records);

    /**
     * The telemetry write queue changed.
     *
     * @param depth records queued now
     * @param full a record had to wait for room (its MQTT acknowledgement is held back)
     */
    default void reportTelemetryQueue(int depth, boolean full) {
    }

    /** A batch of telemetry records was written in one transaction. */
    default void reportTelemetryBatch(int records) {
    }

    /** A generation's per-image latency, tagged with the device's first label ("none" without). */
    default void reportGeneration(String deviceLabel, double totalMillis) {
    }

    /** The retuner sent a device another schedule; direction is DOWNGRADE, UPGRADE or INITIAL. */
    default void reportRetuneDecision(String direction) {
    }

    /** A schedule search job ended. */
    default void reportSearchFinished(boolean succeeded, double seconds) {
    }

    /**
     * How many rollouts are in each state now (every {@code RolloutState} name, 0 included), as
     * read from the store: rollouts outlive controller processes, so this is a level, not a count
     * of transitions seen here.
     */
    default void reportRolloutStates(Map<String, Long> countsByState) {
    }

    /**
     * A generate request from the API ended; outcome is {@code ok}, {@code timeout} (the device did not
     * answer), {@code device_error}, {@code rejected} (unknown or offline device, bad input) or
     * {@code unavailable} (broker or store down).
     */
    default void reportGenerateRequest(String outcome, double seconds) {
    }

    /**
     * A step of device enrolment: {@code requested} (stored as pending), {@code refused} (a request
     * answered with an error), {@code accepted}, {@code rejected} or {@code decommissioned}.
     */
    default void reportEnrolment(String outcome) {
    }

    /** A metrics implementation that records nothing. */
    ControllerMetrics NOOP = new NoopControllerMetrics();
}
