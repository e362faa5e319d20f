package io.c2f.controller.dashboard;

import io.c2f.controller.retune.RetuneVerticle;
import io.c2f.controller.rollout.RolloutService;
import io.c2f.controller.store.DeviceRecord;
import io.c2f.controller.store.DeviceRepository;
import io.c2f.controller.store.DeviceStatus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Locale;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The fleet table: the registry's devices, each with its latency window (from the retune
 * verticle's memory), and INSTALLING when an active rollout has a job sent to it and not finished.
 * Pages are cut from a {@link FleetSnapshot} of the whole fleet, rebuilt when a page is asked for
 * and the last one is older than {@link #MAX_AGE_MS}: however many browsers poll, the registry is
 * read at most once per that interval, and sorting, searching and paging run on a worker.
 */
final class FleetView {
    /** How stale a page may be; live events make the page ask again, so this bounds their cost. */
    static final long MAX_AGE_MS = 1000;
    private static final int PAGE = 1000;
    /** A bound on memory (a row is about 1 KiB); beyond it the summary says the table is truncated. */
    private static final int MAX_DEVICES = 100_000;
    /** Devices per latency request to the retune verticle: bounds the work of one event-loop turn there. */
    private static final int LATENCY_BATCH = 500;
    private static final Set<String> ACTIVE = Set.of("RUNNING", "PAUSED", "ABORTING");

    private final String fleet;
    private final DeviceRepository devices;
    private final RolloutService rollouts;
    private final LiveFeed feed;
    private Vertx vertx;
    private FleetSnapshot current;
    private Future<FleetSnapshot> building;

    FleetView(String fleet, DeviceRepository devices, RolloutService rollouts, LiveFeed feed) {
        this.fleet = fleet;
        this.devices = devices;
        this.rollouts = rollouts;
        this.feed = feed;
    }

    void bind(Vertx vertx) {
        this.vertx = vertx;
    }

    /** One page of the fleet table as the query asks for it. */
    Future<JsonObject> page(FleetQuery q) {
        return snapshot().compose(s -> vertx.executeBlocking(() -> s.page(q), false));
    }

    /** A snapshot at most MAX_AGE_MS old; requests arriving during a build share it. */
    synchronized Future<FleetSnapshot> snapshot() {
        long now = System.currentTimeMillis();
        if (current != null && now - current.atMs() < MAX_AGE_MS) {
            return Future.succeededFuture(current);
        }
        if (building == null) {
            Future<FleetSnapshot> b = build(now);
            building = b;
            b.onComplete(ar -> {
                synchronized (this) {
                    building = null;
                    if (ar.succeeded()) {
                        current = ar.result();
                    }
                }
            });
            return b;
        }
        return building;
    }

    private Future<FleetSnapshot> build(long atMs) {
        return all(null, new ArrayList<>()).compose(list -> openJobs().compose(jobs -> latencies(list)
                .compose(latency -> vertx.executeBlocking(() -> {
                    List<FleetRow> rows = new ArrayList<>(list.size());
                    for (DeviceRecord d : list) {
                        rows.add(row(d, latency.getJsonObject(d.id()), jobs.get(d.id())));
                    }
                    return new FleetSnapshot(rows, atMs, list.size() >= MAX_DEVICES);
                }, false))));
    }

    private Future<List<DeviceRecord>> all(String after, List<DeviceRecord> acc) {
        return devices.list(fleet, null, after, PAGE).compose(page -> {
            acc.addAll(page);
            return page.size() < PAGE || acc.size() >= MAX_DEVICES ? Future.succeededFuture(acc)
                    : all(page.get(page.size() - 1).id(), acc);
        });
    }

    /** Device id to its window percentiles, for the devices that have some; empty when the retuner does not answer. */
    private Future<JsonObject> latencies(List<DeviceRecord> list) {
        List<Future<JsonObject>> parts = new ArrayList<>();
        for (int from = 0; from < list.size(); from += LATENCY_BATCH) {
            JsonArray ids = new JsonArray();
            list.subList(from, Math.min(list.size(), from + LATENCY_BATCH)).forEach(d -> ids.add(d.id()));
            parts.add(vertx.eventBus().<JsonObject>request(RetuneVerticle.LATENCY_PERCENTILES, ids,
                    new DeliveryOptions().setSendTimeout(2000)).map(m -> m.body()).otherwise(new JsonObject()));
        }
        return Future.all(parts).map(cf -> {
            JsonObject all = new JsonObject();
            parts.forEach(f -> all.getMap().putAll(f.result().getMap()));
            return all;
        });
    }

    /** Device id to its open, sent job of an active rollout. */
    private Future<Map<String, JsonObject>> openJobs() {
        return rollouts.list().compose(list -> {
            List<Future<Optional<JsonObject>>> views = new ArrayList<>();
            for (Object o : list) {
                JsonObject r = (JsonObject) o;
                if (ACTIVE.contains(r.getString("state"))) {
                    views.add(rollouts.get(r.getString("id")));
                }
            }
            return Future.all(views).map(cf -> {
                Map<String, JsonObject> open = new HashMap<>();
                for (Future<Optional<JsonObject>> f : views) {
                    f.result().ifPresent(view -> view.getJsonArray("jobs").forEach(j -> {
                        JsonObject job = (JsonObject) j;
                        String state = job.getString("state");
                        if ("IN_PROGRESS".equals(state) || ("QUEUED".equals(state) && job.containsKey("sentAt"))) {
                            open.put(job.getString("deviceId"), new JsonObject().put("rolloutId", view.getString("id"))
                                    .put("jobId", job.getString("id")).put("kind", job.getString("kind"))
                                    .put("state", state).put("progress", job.getValue("progress"))
                                    .put("bundleId", job.getString("bundleId")));
                        }
                    }));
                }
                return open;
            });
        });
    }

    private FleetRow row(DeviceRecord d, JsonObject latency, JsonObject job) {
        String status = d.status() == DeviceStatus.OFFLINE ? "OFFLINE" : job != null ? "INSTALLING" : "ONLINE";
        String delegate = delegate(d);
        JsonObject o = new JsonObject().put("id", d.id()).put("status", status)
                .put("labels", new JsonArray(new ArrayList<>(d.labels())))
                .put("bundleId", d.bundleId()).put("bundleVersion", d.bundleVersion())
                .put("scheduleId", d.scheduleId()).put("targetMs", d.latencyTargetMs())
                .put("delegate", delegate).put("lastSeen", Instant.ofEpochMilli(d.lastSeenMs()).toString())
                .put("agentVersion", d.agentVersion());
        if (d.offlineReason() != null && d.status() == DeviceStatus.OFFLINE) {
            o.put("offlineReason", d.offlineReason());
        }
        if (job != null) {
            o.put("job", job);
        }
        Double p50 = null;
        Double p95 = null;
        Double p99 = null;
        String running = null;
        if (latency != null) {
            p50 = latency.getDouble("p50Ms");
            p95 = latency.getDouble("p95Ms");
            p99 = latency.getDouble("p99Ms");
            o.put("samples", latency.getInteger("samples")).put("p50Ms", p50).put("p95Ms", p95).put("p99Ms", p99);
            String s = latency.getString("scheduleId");
            if (s != null && !s.isEmpty()) {
                running = s;
                o.put("runningScheduleId", s);
            }
        } else {
            o.put("samples", 0);
        }
        String schedule = running != null ? running : d.scheduleId();
        StringBuilder search = new StringBuilder(d.id());
        for (String v : d.labels()) {
            search.append('\n').append(v);
        }
        for (String v : new String[] {d.bundleId(), d.scheduleId(), running, delegate}) {
            if (v != null) {
                search.append('\n').append(v);
            }
        }
        return new FleetRow(d.id(), status, d.bundleId(), schedule, p50, p95, p99, d.latencyTargetMs(), delegate,
                d.lastSeenMs(), search.toString().toLowerCase(Locale.ROOT), o);
    }

    /** The delegate that ran the last generation; before any, the first active one the device announced. */
    private String delegate(DeviceRecord d) {
        String ran = feed.lastDelegate(d.id());
        if (ran != null && !ran.isEmpty()) {
            return ran;
        }
        if (d.delegatesJson() == null) {
            return null;
        }
        try {
            JsonArray a = new JsonArray(d.delegatesJson());
            String first = null;
            for (Object o : a) {
                if (o instanceof JsonObject j) {
                    first = first == null ? j.getString("name") : first;
                    if ("DELEGATE_STATUS_ACTIVE".equals(j.getString("status"))) {
                        return j.getString("name");
                    }
                }
            }
            return first;
        } catch (RuntimeException e) {
            return null;
        }
    }
}
