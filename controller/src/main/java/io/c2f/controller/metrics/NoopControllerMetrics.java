package io.c2f.controller.metrics;

import io.c2f.proto.topic.Channel;
import io.c2f.proto.v1.ErrorCode;

/**
 * Records nothing; the default until a Micrometer-backed implementation is plugged in, and the base of
 * counters (tests, benchmarks) that override only the reports they count.
 */
public class NoopControllerMetrics implements ControllerMetrics {
    @Override
    public void reportMessageReceived(Channel channel) {
    }

    @Override
    public void reportMessageRejected(ErrorCode code) {
    }

    @Override
    public void reportMqttConnected(boolean connected) {
    }

    @Override
    public void reportDeviceOnline() {
    }

    @Override
    public void reportDeviceOffline(String reason) {
    }

    @Override
    public void reportStaleMessage(Channel channel) {
    }

    @Override
    public void reportTelemetry(boolean duplicate) {
    }

    @Override
    public void reportTelemetryLost(long records) {
    }
}
