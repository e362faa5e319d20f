package io.c2f.controller.metrics;

import io.c2f.proto.topic.Channel;
import io.c2f.proto.v1.ErrorCode;

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

    /** Records known lost: dropped by the device's spool, or a gap in telemetry_seq. */
    void reportTelemetryLost(long records);

    /** A metrics implementation that records nothing. */
    ControllerMetrics NOOP = new NoopControllerMetrics();
}
