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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The fleet table in one answer: the registry's devices, each with its latency window (from the
 * retune verticle's memory), and INSTALLING when an active rollout has a job sent to it and not
 * finished.
 */
final class FleetView {
    private static final int PAGE = 1000;
    private static final int MAX_DEVICES = 10_000;
    private static final Set<String> ACTIVE = Set.of("RUNNING", "PAUSED", "ABORTING");

    private final String fleet;
    private final DeviceRepository devices;
    private final RolloutService rollouts;
    private final LiveFeed feed;
    private Vertx vertx;

    FleetView(String fleet, DeviceRepository devices, RolloutService rollouts, LiveFeed feed) {
        this.fleet = fleet;
        this.devices = devices;
        this.rollouts = rollouts;
        this.feed = feed;
    }

    void bind(Vertx vertx) {
        this.vertx = vertx;
    }

    Future<JsonArray> rows() {
        return all(null, new ArrayList<>()).compose(list -> openJobs().compose(jobs -> {
            List<Future<JsonObject>> rows = new ArrayList<>(list.size());
            for (DeviceRecord d : list) {
                rows.add(latency(d.id()).map(l -> row(d, l, jobs.get(d.id()))));
            }
            return Future.all(rows).map(cf -> {
                JsonArray a = new JsonArray();
                rows.forEach(f -> a.add(f.result()));
                return a;
            });
        }));
    }

    private Future<List<DeviceRecord>> all(String after, List<DeviceRecord> acc) {
        return devices.list(fleet, null, after, PAGE).compose(page -> {
            acc.addAll(page);
            return page.size() < PAGE || acc.size() >= MAX_DEVICES ? Future.succeededFuture(acc)
                    : all(page.get(page.size() - 1).id(), acc);
        });
    }

    /** The latency window, or null when the device has sent no generation (or the retuner is busy). */
    private Future<JsonObject> latency(String id) {
        return vertx.eventBus().<JsonObject>request(RetuneVerticle.LATENCY, id,
                new DeliveryOptions().setSendTimeout(2000)).map(m -> m.body()).otherwise((JsonObject) null);
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

    private JsonObject row(DeviceRecord d, JsonObject latency, JsonObject job) {
        String status = d.status() == DeviceStatus.OFFLINE ? "OFFLINE" : job != null ? "INSTALLING" : "ONLINE";
        JsonObject o = new JsonObject().put("id", d.id()).put("status", status)
                .put("labels", new JsonArray(new ArrayList<>(d.labels())))
                .put("bundleId", d.bundleId()).put("bundleVersion", d.bundleVersion())
                .put("scheduleId", d.scheduleId()).put("targetMs", d.latencyTargetMs())
                .put("delegate", delegate(d)).put("lastSeen", Instant.ofEpochMilli(d.lastSeenMs()).toString())
                .put("agentVersion", d.agentVersion());
        if (d.offlineReason() != null && d.status() == DeviceStatus.OFFLINE) {
            o.put("offlineReason", d.offlineReason());
        }
        if (job != null) {
            o.put("job", job);
        }
        JsonObject w = latency == null ? null : latency.getJsonObject("window");
        if (w != null && w.getInteger("samples", 0) > 0) {
            o.put("samples", w.getInteger("samples")).put("p50Ms", w.getValue("p50Ms")).put("p95Ms", w.getValue("p95Ms"))
                    .put("p99Ms", w.getValue("p99Ms"));
            if (latency.getString("scheduleId") != null && !latency.getString("scheduleId").isEmpty()) {
                o.put("runningScheduleId", latency.getString("scheduleId"));
            }
        } else {
            o.put("samples", 0);
        }
        return o;
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
