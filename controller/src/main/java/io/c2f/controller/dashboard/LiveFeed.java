package io.c2f.controller.dashboard;

import io.c2f.controller.mqtt.EventAddresses;
import io.c2f.controller.telemetry.GenerationEvent;
import io.c2f.proto.codec.Inbound;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.v1.GenerationRecord;
import io.c2f.proto.v1.JobStatusUpdate;
import io.c2f.proto.v1.PhaseLatency;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the dashboard pages see live: device births, deaths and states, job status updates and
 * stored generations, taken from the event bus (all of them are published, so listening here
 * takes nothing from the verticles that act on them) and written to every open server-sent
 * event stream. Keeps the last {@value #RECENT} generations of each device for the device
 * page's chart, since the latency API only keeps per-minute aggregates.
 *
 * <p>A stream may watch only some devices (the fleet page watches the rows it shows): it then gets
 * their device, job and generation events and, instead of every other device's, one {@code fleet}
 * event per {@value #FLEET_EVERY_MS} ms at most after births, deaths, job updates and other changes
 * of a device's state (counts changed, a device appeared), so a browser's traffic does not grow with the fleet.
 */
final class LiveFeed {
    static final int RECENT = 200;
    private static final long PING_MS = 15_000;
    static final long FLEET_EVERY_MS = 1000;
    /** The most devices one stream may watch: a page of the fleet table, with room to spare. */
    static final int MAX_WATCHED = 200;

    private final String fleet;
    /** Each open stream and the devices it watches (empty: all of them). */
    private final Map<HttpServerResponse, Optional<Set<String>>> streams = new ConcurrentHashMap<>();
    private final AtomicInteger fleetChanges = new AtomicInteger();
    private final Map<String, Deque<JsonObject>> recent = new ConcurrentHashMap<>();

    LiveFeed(String fleet) {
        this.fleet = fleet;
    }

    void start(Vertx vertx) {
        for (Channel ch : new Channel[] {Channel.BIRTH, Channel.DEATH, Channel.STATE}) {
            vertx.eventBus().<Inbound>consumer(EventAddresses.inbound(ch), m -> {
                Inbound in = m.body();
                if (fleet.equals(in.address().fleet())) {
                    in.address().device().ifPresent(id -> {
                        broadcast(id, "device", new JsonObject().put("deviceId", id)
                                .put("what", ch.name().toLowerCase(Locale.ROOT)));
                        if (ch != Channel.STATE) {
                            fleetChanges.incrementAndGet(); // a birth or death changes the counts
                        }
                    });
                }
            });
        }
        vertx.eventBus().<String>consumer(EventAddresses.DEVICE_CHANGED, m -> {
            broadcast(m.body(), "device", new JsonObject().put("deviceId", m.body()).put("what", "changed"));
            fleetChanges.incrementAndGet(); // went offline without a death, or a target moved the over-target count
        });
        vertx.eventBus().<Inbound>consumer(EventAddresses.inbound(Channel.JOB_STATUS), m -> {
            Inbound in = m.body();
            if (fleet.equals(in.address().fleet())) {
                JobStatusUpdate u = in.as(JobStatusUpdate.class);
                broadcast(u.getDeviceId(), "job", new JsonObject().put("deviceId", u.getDeviceId()).put("jobId", u.getJobId())
                        .put("state", u.getState().name().replace("JOB_STATE_", ""))
                        .put("progress", u.getProgressPercent()));
                fleetChanges.incrementAndGet(); // installing counts
            }
        });
        vertx.eventBus().<GenerationEvent>consumer(GenerationEvent.ADDRESS, m -> {
            JsonObject sample = sample(m.body());
            Deque<JsonObject> d = recent.computeIfAbsent(m.body().deviceId(), k -> new ArrayDeque<>());
            synchronized (d) {
                d.addLast(sample);
                while (d.size() > RECENT) {
                    d.removeFirst();
                }
            }
            broadcast(m.body().deviceId(), "generation", sample);
        });
        // comments keep proxies from closing an idle stream and let us notice dead clients
        vertx.setPeriodic(PING_MS, t -> streams.keySet().forEach(r -> write(r, ": ping\n\n")));
        vertx.setPeriodic(FLEET_EVERY_MS, t -> {
            int n = fleetChanges.getAndSet(0);
            if (n > 0) {
                String frame = frame("fleet", new JsonObject().put("changes", n));
                streams.forEach((r, watched) -> {
                    if (watched.isPresent()) {
                        write(r, frame);
                    }
                });
            }
        });
    }

    /** One generation as the pages draw it: total, low and high phase, the rest as overhead. */
    static JsonObject sample(GenerationEvent e) {
        GenerationRecord r = e.record();
        double low = 0;
        double high = 0;
        for (PhaseLatency p : r.getPhasesList()) {
            if ("low".equals(p.getPhase())) {
                low += p.getMillis();
            } else if ("high".equals(p.getPhase())) {
                high += p.getMillis();
            }
        }
        return new JsonObject().put("deviceId", e.deviceId()).put("at", e.receivedAtMs())
                .put("totalMs", r.getTotalMillis()).put("lowMs", low).put("highMs", high)
                .put("otherMs", Math.max(0, r.getTotalMillis() - low - high)).put("scheduleId", r.getScheduleId())
                .put("delegate", r.getDelegate());
    }

    JsonArray recent(String deviceId) {
        Deque<JsonObject> d = recent.get(deviceId);
        if (d == null) {
            return new JsonArray();
        }
        synchronized (d) {
            return new JsonArray(new ArrayList<>(d));
        }
    }

    /** The delegate of the device's latest generation, if any arrived since the controller started. */
    String lastDelegate(String deviceId) {
        Deque<JsonObject> d = recent.get(deviceId);
        if (d == null) {
            return null;
        }
        synchronized (d) {
            return d.isEmpty() ? null : d.peekLast().getString("delegate");
        }
    }

    /**
     * Turns the response into an event stream that stays open until the client goes.
     *
     * @param watched the devices whose events it gets, or empty for every event
     */
    void attach(HttpServerResponse r, Optional<Set<String>> watched) {
        r.setChunked(true).putHeader("content-type", "text/event-stream; charset=utf-8")
                .putHeader("cache-control", "no-cache").putHeader("x-accel-buffering", "no");
        r.closeHandler(v -> streams.remove(r));
        r.exceptionHandler(e -> streams.remove(r));
        streams.put(r, watched.map(Set::copyOf));
        write(r, "retry: 2000\nevent: hello\ndata: " + new JsonObject().put("fleet", fleet).encode() + "\n\n");
    }

    int clients() {
        return streams.size();
    }

    /** The event to every stream that watches the device (or everything); encoded only if one does. */
    private void broadcast(String deviceId, String event, JsonObject data) {
        String frame = null;
        for (Map.Entry<HttpServerResponse, Optional<Set<String>>> e : streams.entrySet()) {
            if (e.getValue().isEmpty() || e.getValue().get().contains(deviceId)) {
                frame = frame == null ? frame(event, data) : frame;
                write(e.getKey(), frame);
            }
        }
    }

    private static String frame(String event, JsonObject data) {
        return "event: " + event + "\ndata: " + data.encode() + "\n\n";
    }

    private void write(HttpServerResponse r, String frame) {
        if (r.closed() || r.ended()) {
            streams.remove(r);
            return;
        }
        if (r.writeQueueFull()) {
            // the client stopped reading: drop it rather than buffer without bound; it reconnects
            streams.remove(r);
            r.reset();
            return;
        }
        r.write(frame);
    }
}
