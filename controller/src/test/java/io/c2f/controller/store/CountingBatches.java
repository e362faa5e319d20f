package io.c2f.controller.store;

import io.c2f.controller.metrics.NoopControllerMetrics;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Records the telemetry batches written and how often a record waited for room in the queue. */
final class CountingBatches extends NoopControllerMetrics {
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
}
