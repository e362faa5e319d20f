package io.c2f.demo;

import io.c2f.controller.mqtt.DeviceCommands;
import io.c2f.controller.mqtt.EventAddresses;
import io.c2f.proto.codec.Inbound;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.v1.GenerateRequest;
import io.c2f.proto.v1.GenerateResult;
import io.c2f.proto.v1.GeneratedImage;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Closed-loop generation traffic, as users of the devices would make: each device gets a
 * GenerateRequest (over MQTT, through {@link DeviceCommands}), and its next one {@code pauseMs}
 * after the answer (or after {@code timeoutMs} without one). The answers come back on the devices'
 * generate/result channel; the devices' GenerationRecords reach the retuner as telemetry, the
 * normal way. Counts, the last image and the schedule each device last ran are kept for reading
 * from other threads.
 */
public final class GenerationLoad extends VerticleBase {
    private final long pauseMs;
    private final long timeoutMs;
    private final Map<String, String> pending = new HashMap<>();
    private final Map<String, Long> seq = new HashMap<>();
    private final Map<String, GeneratedImage> lastImage = new ConcurrentHashMap<>();
    private final Map<String, String> lastSchedule = new ConcurrentHashMap<>();
    private final AtomicLong images = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong timeouts = new AtomicLong();
    private DeviceCommands commands;
    private boolean stopped;

    public GenerationLoad(long pauseMs, long timeoutMs) {
        if (pauseMs < 0 || timeoutMs < 100) {
            throw new IllegalArgumentException("pause must be >= 0 ms and timeout >= 100 ms, got " + pauseMs + ", "
                    + timeoutMs);
        }
        this.pauseMs = pauseMs;
        this.timeoutMs = timeoutMs;
    }

    @Override
    public Future<?> start() {
        commands = new DeviceCommands(vertx);
        return vertx.eventBus().<Inbound>consumer(EventAddresses.inbound(Channel.GENERATE_RESULT),
                m -> onResult(m.body())).completion();
    }

    @Override
    public Future<?> stop() {
        stopped = true;
        return Future.succeededFuture();
    }

    /** Starts requests to these devices (thread-safe; devices already loaded are left alone). */
    public void add(Collection<String> deviceIds) {
        List<String> ids = List.copyOf(deviceIds);
        context.runOnContext(v -> ids.forEach(id -> {
            if (!seq.containsKey(id)) {
                seq.put(id, 0L);
                request(id);
            }
        }));
    }

    private void request(String deviceId) {
        if (stopped) {
            return;
        }
        long n = seq.merge(deviceId, 1L, Long::sum);
        String requestId = "load-" + deviceId + "-" + n;
        pending.put(deviceId, requestId);
        commands.sendGenerate(deviceId, GenerateRequest.newBuilder().setRequestId(requestId).setSeed(n).setCount(1)
                .build()).onFailure(e -> errors.incrementAndGet());
        vertx.setTimer(timeoutMs, t -> {
            if (requestId.equals(pending.get(deviceId))) {
                timeouts.incrementAndGet();
                request(deviceId);
            }
        });
    }

    private void onResult(Inbound in) {
        String deviceId = in.address().deviceId();
        GenerateResult r = in.as(GenerateResult.class);
        if (deviceId == null || !r.getRequestId().equals(pending.get(deviceId))) {
            return; // someone else's request, or one we gave up on
        }
        pending.remove(deviceId);
        long next = pauseMs;
        if (r.hasError() || r.getImagesCount() == 0) {
            errors.incrementAndGet();
            next = Math.max(pauseMs, 1000); // e.g. no bundle yet, or BUSY: back off a little
        } else {
            GeneratedImage img = r.getImages(0);
            images.addAndGet(r.getImagesCount());
            lastImage.put(deviceId, img);
            lastSchedule.put(deviceId, img.getRecord().getScheduleId());
        }
        if (next == 0) {
            request(deviceId);
        } else {
            vertx.setTimer(next, t -> request(deviceId));
        }
    }

    public long images() {
        return images.get();
    }

    public long errors() {
        return errors.get();
    }

    public long timeouts() {
        return timeouts.get();
    }

    /** The last image a device returned, if any. */
    public GeneratedImage lastImage(String deviceId) {
        return lastImage.get(deviceId);
    }

    /** The schedule of each device's last image. */
    public Map<String, String> lastSchedules() {
        return Map.copyOf(lastSchedule);
    }
}
