package io.c2f.controller.mqtt;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.function.Supplier;

/**
 * Keeps the controller's QoS 1 publishes within the MQTT client's in-flight limit: beyond it a
 * publish waits its turn instead of failing. The Vert.x client refuses a publish past its limit
 * outright ("Attempt to exceed the limit of 1000 inflight messages"), so a rebirth storm (thousands
 * of devices heard from unknown sessions after a restart, each asked for a birth at once) or a
 * burst of commands to a large fleet used to fail most of them. Waiting publishes are bounded; one
 * past the bound fails at once, saying so. Used on the ingress verticle's event loop only.
 */
final class PublishWindow {
    private final int limit;
    private final int maxWaiting;
    private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
    private int inFlight;

    /**
     * @param limit publishes sent and not yet settled (acknowledged or failed)
     * @param maxWaiting publishes that may wait for a free place
     */
    PublishWindow(int limit, int maxWaiting) {
        if (limit < 1 || maxWaiting < 0) {
            throw new IllegalArgumentException("limit must be >= 1 and maxWaiting >= 0, got " + limit + ", " + maxWaiting);
        }
        this.limit = limit;
        this.maxWaiting = maxWaiting;
    }

    /**
     * Sends now if a place is free, later otherwise; the place is held until the returned future
     * (the publish's acknowledgement) completes either way.
     */
    <T> Future<T> submit(Supplier<Future<T>> send) {
        if (inFlight < limit) {
            return start(send);
        }
        if (waiting.size() >= maxWaiting) {
            return Future.failedFuture(new MqttUnavailableException("outbound queue full: " + inFlight
                    + " publishes await the broker's acknowledgement and " + waiting.size() + " more wait to be sent"));
        }
        Promise<T> later = Promise.promise();
        waiting.add(() -> start(send).onComplete(later));
        return later.future();
    }

    int inFlight() {
        return inFlight;
    }

    int waiting() {
        return waiting.size();
    }

    private <T> Future<T> start(Supplier<Future<T>> send) {
        inFlight++;
        Future<T> sent;
        try {
            sent = send.get();
        } catch (RuntimeException e) {
            sent = Future.failedFuture(e);
        }
        return sent.onComplete(ar -> release());
    }

    private void release() {
        inFlight--;
        Runnable next = waiting.poll();
        if (next != null) {
            next.run();
        }
    }
}
