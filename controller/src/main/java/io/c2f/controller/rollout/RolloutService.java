package io.c2f.controller.rollout;

import io.c2f.controller.bundle.BundleService;
import io.c2f.controller.bundle.RequestException;
import io.c2f.controller.config.ControllerIdentity;
import io.c2f.controller.job.Delivered;
import io.c2f.controller.job.Job;
import io.c2f.controller.job.JobRepository;
import io.c2f.controller.job.JobStatus;
import io.c2f.controller.store.Database;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * What operators do with rollouts (create, inspect, pause, resume, abort). The driving itself is
 * {@link RolloutVerticle}'s; this class only writes the request into the database and nudges it.
 */
public final class RolloutService {
    /** Event bus address: a rollout id whose state changed and should be examined now. */
    public static final String KICK = "c2f.rollout.kick";
    private static final int EVENT_LIMIT = 500;

    private final Vertx vertx;
    private final ControllerIdentity identity;
    private final RolloutRepository repository;
    private final BundleService bundles;
    private final RolloutSettings settings;
    private final Clock clock;

    public RolloutService(Vertx vertx, ControllerIdentity identity, Database db, BundleService bundles,
            RolloutSettings settings, Clock clock) {
        this.vertx = vertx;
        this.identity = identity;
        this.repository = new RolloutRepository(db);
        this.bundles = bundles;
        this.settings = settings;
        this.clock = clock;
    }

    RolloutRepository repository() {
        return repository;
    }

    /** Validates, plans the waves and stores a RUNNING rollout; the answer is its view. */
    public Future<JsonObject> create(JsonObject body) {
        RolloutSpec spec;
        try {
            spec = RolloutSpec.fromJson(body);
        } catch (RequestException e) {
            return Future.failedFuture(e);
        }
        return bundles.find(spec.bundleId()).compose(b -> {
            if (b.isEmpty()) {
                return Future.failedFuture(RequestException.invalid("bundleId '" + spec.bundleId()
                        + "' is not a bundle of this controller (POST /api/v1/bundles first)"));
            }
            return repository.database().inTransaction(c -> plan(c, spec));
        }).compose(id -> {
            vertx.eventBus().send(KICK, id);
            return get(id).map(Optional::get);
        });
    }

    private String plan(Connection c, RolloutSpec spec) throws SQLException {
        Map<String, DeviceFacts> devices = RolloutRepository.devices(c, identity.fleet());
        List<DeviceFacts> targets = new ArrayList<>();
        if (!spec.target().devices().isEmpty()) {
            List<String> unknown = new ArrayList<>();
            for (String id : spec.target().devices()) {
                DeviceFacts d = devices.get(id);
                if (d == null) {
                    unknown.add(id);
                } else {
                    targets.add(d);
                }
            }
            if (!unknown.isEmpty()) {
                throw RequestException.invalid("target.devices: " + unknown + " are not devices of fleet '"
                        + identity.fleet() + "' (a device is known once it has published a birth)");
            }
        } else {
            devices.values().stream().filter(d -> spec.target().matchesLabels(d.labels())).forEach(targets::add);
        }
        if (targets.isEmpty()) {
            throw RequestException.invalid("target matches no device of fleet '" + identity.fleet() + "'");
        }
        // online devices first, so the canary answers at once; then by id, so the plan is reproducible
        targets.sort(Comparator.comparing((DeviceFacts d) -> !d.online()).thenComparing(DeviceFacts::id));
        Map<String, String> busy = new LinkedHashMap<>();
        try (var ps = c.prepareStatement("SELECT w.devices, r.id FROM rollout_waves w JOIN rollouts r "
                + "ON r.id = w.rollout_id WHERE r.fleet = ? AND r.state IN ('RUNNING', 'PAUSED', 'ABORTING')")) {
            ps.setString(1, identity.fleet());
            try (var rs = ps.executeQuery()) {
                while (rs.next()) {
                    String other = rs.getString(2);
                    new JsonArray(rs.getString(1)).forEach(d -> busy.put(String.valueOf(d), other));
                }
            }
        }
        List<String> clash = targets.stream().map(DeviceFacts::id).filter(busy::containsKey).limit(10).toList();
        if (!clash.isEmpty()) {
            throw RequestException.conflict("devices " + clash + " are already in active rollout "
                    + busy.get(clash.get(0)) + "; abort it or wait for it to finish");
        }
        long now = clock.millis();
        String id = "r-" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        List<Integer> sizes = spec.waves().sizes(targets.size());
        List<Wave> waves = new ArrayList<>();
        int from = 0;
        for (int i = 0; i < sizes.size(); i++) {
            List<String> ids = targets.subList(from, from + sizes.get(i)).stream().map(DeviceFacts::id).toList();
            waves.add(new Wave(id, i, "PENDING", ids, null, null));
            from += sizes.get(i);
        }
        RolloutRepository.insert(c, new Rollout(id, identity.fleet(), spec.bundleId(), spec, RolloutState.RUNNING, 0,
                null, now, now, null, identity.instanceId(), now + settings.leaseMs()), waves);
        RolloutRepository.event(c, id, "CREATED", "rollout of " + spec.bundleId() + " to " + targets.size()
                + " devices in " + sizes.size() + " waves " + sizes, now);
        return id;
    }

    /** The rollout with its waves, per-device jobs and events; empty when unknown. */
    public Future<Optional<JsonObject>> get(String id) {
        return repository.database().execute(c -> {
            Optional<Rollout> r = RolloutRepository.find(c, id);
            if (r.isEmpty()) {
                return Optional.<JsonObject>empty();
            }
            return Optional.of(view(r.get(), RolloutRepository.waves(c, id), JobRepository.ofRollout(c, id),
                    RolloutRepository.events(c, id, EVENT_LIMIT), JobRepository.deliveredOfRollout(c, id)));
        });
    }

    public Future<JsonArray> list() {
        return repository.list(identity.fleet()).map(all -> {
            JsonArray out = new JsonArray();
            all.forEach(r -> out.add(summary(r)));
            return out;
        });
    }

    public Future<JsonObject> pause(String id) {
        return change(id, List.of(RolloutState.RUNNING), RolloutState.PAUSED, "PAUSED", "paused by operator", null);
    }

    public Future<JsonObject> resume(String id) {
        return change(id, List.of(RolloutState.PAUSED), RolloutState.RUNNING, "RESUMED", "resumed by operator", null);
    }

    public Future<JsonObject> abort(String id, String reason) {
        String why = "aborted by operator" + (reason == null || reason.isBlank() ? "" : ": " + reason);
        return change(id, List.of(RolloutState.RUNNING, RolloutState.PAUSED), RolloutState.ABORTING, "ABORTING", why,
                why);
    }

    private Future<JsonObject> change(String id, List<RolloutState> from, RolloutState to, String event,
            String message, String reason) {
        return repository.database().inTransaction(c -> {
            Optional<Rollout> r = RolloutRepository.find(c, id);
            if (r.isEmpty()) {
                throw RequestException.notFound("no rollout '" + id + "'");
            }
            long now = clock.millis();
            if (!RolloutRepository.transition(c, id, from, to, reason, now)) {
                throw RequestException.conflict("rollout " + id + " is " + r.get().state() + "; only a "
                        + from.stream().map(Enum::name).reduce((a, b) -> a + " or " + b).orElse("") + " rollout can "
                        + "become " + to);
            }
            RolloutRepository.event(c, id, event, message, now);
            return id;
        }).compose(done -> {
            vertx.eventBus().send(KICK, id);
            return get(id).map(Optional::get);
        });
    }

    private static JsonObject summary(Rollout r) {
        JsonObject o = new JsonObject().put("id", r.id()).put("bundleId", r.bundleId()).put("state", r.state().name())
                .put("currentWave", r.currentWave()).put("createdAt", time(r.createdMs()))
                .put("updatedAt", time(r.updatedMs()));
        if (r.finishedMs() != null) {
            o.put("finishedAt", time(r.finishedMs()));
        }
        if (r.abortReason() != null) {
            o.put("abortReason", r.abortReason());
        }
        return o;
    }

    private static JsonObject view(Rollout r, List<Wave> waves, List<Job> jobs, List<RolloutEvent> events,
            Map<String, Delivered> delivered) {
        JsonObject o = summary(r).put("fleet", r.fleet()).put("spec", r.spec().toJson());
        if (r.leaseOwner() != null) {
            o.put("lease", new JsonObject().put("owner", r.leaseOwner()).put("expiresAt", time(r.leaseExpiresMs())));
        }
        o.put("counts", counts(jobs));
        JsonArray w = new JsonArray();
        for (Wave wave : waves) {
            JsonObject wj = new JsonObject().put("index", wave.index()).put("state", wave.state())
                    .put("size", wave.devices().size()).put("devices", new JsonArray(new ArrayList<>(wave.devices())))
                    .put("counts", counts(jobs.stream().filter(j -> Integer.valueOf(wave.index())
                            .equals(j.waveIndex())).toList()));
            if (wave.startedMs() != null) {
                wj.put("startedAt", time(wave.startedMs()));
            }
            if (wave.finishedMs() != null) {
                wj.put("finishedAt", time(wave.finishedMs()));
            }
            w.add(wj);
        }
        o.put("waves", w);
        JsonArray js = new JsonArray();
        for (Job j : jobs) {
            JsonObject jj = new JsonObject().put("id", j.id()).put("deviceId", j.deviceId()).put("kind", j.kind().name())
                    .put("bundleId", j.bundleId()).put("state", j.state().name()).put("progress", j.progress())
                    .put("attempts", j.attempts()).put("createdAt", time(j.createdMs()));
            if (j.waveIndex() != null) {
                jj.put("wave", j.waveIndex());
            }
            if (j.previousBundleId() != null) {
                jj.put("previousBundleId", j.previousBundleId());
            }
            if (j.step() != null) {
                jj.put("step", j.step());
            }
            if (j.errorMessage() != null || j.errorCode() != null) {
                jj.put("error", new JsonObject().put("code", j.errorCode()).put("message", j.errorMessage()));
            }
            if (j.probePsnrDb() != null) {
                jj.put("probe", new JsonObject().put("psnrDb", j.probePsnrDb()).put("passed", j.probePassed()));
            }
            if (j.sentMs() != null) {
                jj.put("sentAt", time(j.sentMs()));
            }
            if (j.startedMs() != null) {
                jj.put("startedAt", time(j.startedMs()));
            }
            if (j.finishedMs() != null) {
                jj.put("finishedAt", time(j.finishedMs()));
            }
            Delivered d = delivered.getOrDefault(j.id(), Delivered.NONE);
            jj.put("chunksSent", d.chunks()).put("bytesSent", d.bytes());
            js.add(jj);
        }
        o.put("jobs", js);
        o.put("delivery", delivery(r, jobs, delivered));
        JsonArray ev = new JsonArray();
        events.forEach(e -> ev.add(new JsonObject().put("at", time(e.atMs())).put("kind", e.kind())
                .put("message", e.message())));
        o.put("events", ev);
        return o;
    }

    /**
     * Bundle bytes sent to the rollout's devices, beside the bundle's whole payload: a device that
     * reused the files it held (a schedule-only change) got a small share of it, a model change about all.
     */
    private static JsonObject delivery(Rollout r, List<Job> jobs, Map<String, Delivered> delivered) {
        long bytes = 0;
        long chunks = 0;
        long payload = 0;
        for (Job j : jobs) {
            Delivered d = delivered.getOrDefault(j.id(), Delivered.NONE);
            bytes += d.bytes();
            chunks += d.chunks();
            if (j.bundleId().equals(r.bundleId())) {
                payload = d.payloadSize();
            }
        }
        long devices = jobs.stream().map(Job::deviceId).distinct().count();
        JsonObject o = new JsonObject().put("devices", devices).put("bytesSent", bytes).put("chunksSent", chunks)
                .put("payloadSize", payload);
        if (devices > 0) {
            double mean = (double) bytes / devices;
            o.put("meanBytesPerDevice", mean);
            if (payload > 0) {
                o.put("meanShareOfPayload", mean / payload);
            }
        }
        return o;
    }

    private static JsonObject counts(List<Job> jobs) {
        JsonObject o = new JsonObject();
        for (JobStatus s : JobStatus.values()) {
            o.put(s.name(), jobs.stream().filter(j -> j.state() == s).count());
        }
        return o;
    }

    private static String time(long ms) {
        return Instant.ofEpochMilli(ms).toString();
    }
}
