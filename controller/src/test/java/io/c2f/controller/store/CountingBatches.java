package io.c2f.controller.store;

import io.c2f.controller.metrics.ControllerMetrics;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.v1.ErrorCode;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Records the telemetry batches written and how often a record waited for room in the queue. */
final class CountingBatches implements ControllerMetrics {
    private final List<Integer> sizes = new CopyOnWriteArrayList<>();
    private final AtomicInteger full = new AtomicInteger();

    List<Integer> sizes() {
        return List.copyOf(sizes);
    }

    int full() {
        return full.get();
    }

    @Override
    public void reportTelemetryBatch(int records) {
        sizes.add(records);
    }

    @Override
    public void reportTelemetryQueue(int depth, boolean wasFull) {
        if (wasFull) {
            full.incrementAndGet();
        }
    }

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
