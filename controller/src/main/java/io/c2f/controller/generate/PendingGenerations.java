package io.c2f.controller.generate;

import io.c2f.controller.mqtt.EventAddresses;
import io.c2f.proto.codec.Inbound;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.v1.GenerateResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Generate requests waiting for their device's {@code generate/result}, matched by request id
 * (MQTT 3.1.1 has no response topic). A result counts only from the device the request went to;
 * results nobody waits for (late, or for another controller instance) are ignored.
 */
final class PendingGenerations {
    private record Waiting(String deviceId, Promise<GenerateResult> promise, long timer) {
    }

    private final Map<String, Waiting> waiting = new ConcurrentHashMap<>();
    private Vertx vertx;

    Future<Void> bind(Vertx vertx) {
        this.vertx = vertx;
        return vertx.eventBus().<Inbound>consumer(EventAddresses.inbound(Channel.GENERATE_RESULT), m -> {
            Inbound in = m.body();
            GenerateResult r = in.as(GenerateResult.class);
            Waiting w = waiting.get(r.getRequestId());
            if (w != null && w.deviceId().equals(in.address().deviceId()) && waiting.remove(r.getRequestId(), w)) {
                vertx.cancelTimer(w.timer());
                w.promise().complete(r);
            }
        }).completion();
    }

    /** Registers the wait before the request is sent, so an instant answer is not missed. */
    Future<GenerateResult> expect(String requestId, String deviceId, long timeoutMs) {
        Promise<GenerateResult> p = Promise.promise();
        long timer = vertx.setTimer(timeoutMs, t -> {
            Waiting w = waiting.remove(requestId);
            if (w != null) {
                w.promise().tryFail(new GenerateFailure(504, "device '" + deviceId + "' did not answer generate request "
                        + requestId + " within " + (timeoutMs / 1000.0) + " s (is its agent running and the schedule "
                        + "installed? the request is dropped on the device after this deadline)"));
            }
        });
        waiting.put(requestId, new Waiting(deviceId, p, timer));
        return p.future();
    }

    void cancel(String requestId) {
        Waiting w = waiting.remove(requestId);
        if (w != null) {
            vertx.cancelTimer(w.timer());
        }
    }

    int size() {
        return waiting.size();
    }
}
