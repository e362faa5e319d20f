package io.c2f.controller.scaleout;

import io.c2f.controller.metrics.NoopControllerMetrics;
import io.c2f.proto.topic.Channel;
import java.util.concurrent.atomic.AtomicLong;

/** Counts what one controller instance ingested, so a test can see how a shared subscription split the stream. */
final class CountingMetrics extends NoopControllerMetrics {
    final AtomicLong telemetryStored = new AtomicLong();
    final AtomicLong telemetryDuplicates = new AtomicLong();
    final AtomicLong births = new AtomicLong();
    final AtomicLong bundleRequests = new AtomicLong();

    long telemetryHandled() {
        return telemetryStored.get() + telemetryDuplicates.get();
    }

    @Override
    public void reportMessageReceived(Channel channel) {
        if (channel == Channel.BIRTH) {
            births.incrementAndGet();
        } else if (channel == Channel.BUNDLE_GET) {
            bundleRequests.incrementAndGet();
        }
    }

    @Override
    public void reportTelemetry(boolean duplicate) {
        (duplicate ? telemetryDuplicates : telemetryStored).incrementAndGet();
    }
}
