package io.c2f.controller.retune;

import io.c2f.controller.catalog.CatalogRepository;
import io.c2f.controller.log.EventLog;
import io.c2f.controller.metrics.ControllerMetrics;
import io.c2f.controller.catalog.CatalogEntry;
import io.c2f.controller.model.ModelRecord;
import io.c2f.controller.model.ModelRepository;
import io.c2f.controller.mqtt.DeviceCommands;
import io.c2f.controller.mqtt.EventAddresses;
import io.c2f.controller.store.DeviceRepository;
import io.c2f.controller.telemetry.CostModel;
import io.c2f.controller.telemetry.DeviceLatency;
import io.c2f.controller.telemetry.GenerationEvent;
import io.c2f.controller.telemetry.GenerationSample;
import io.c2f.controller.telemetry.LatencyRepository;
import io.c2f.controller.telemetry.MinuteBucket;
import io.c2f.controller.telemetry.Percentiles;
import io.c2f.controller.job.JobOrderSigner;
import io.c2f.proto.v1.ApplySchedule;
import io.c2f.proto.v1.JobCommand;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every device's latency window and cost model from the stored GenerationRecords, writes
 * the per-minute history, and periodically retunes devices that have a latency target: {@link
 * RetunePolicy} decides, an ApplySchedule job carries the change, the decision log says why.
 *
 * <p>Event bus: {@link #LATENCY} (request: device id; reply: the window as JSON or null) and
 * {@link #EVALUATE} (request: anything; reply: number of changes sent), used by the HTTP API.
 */
public final class RetuneVerticle extends VerticleBase {
    private final JobOrderSigner orders;
    private static final Logger LOG = LoggerFactory.getLogger(RetuneVerticle.class);
    public static final String LATENCY = "c2f.retune.latency";
    /** Request: a JSON array of device ids (a few hundred at most); reply: id to window percentiles. */
    public static final String LATENCY_PERCENTILES = "c2f.retune.latency.percentiles";
    public static final String EVALUATE = "c2f.retune.evaluate";
    private static final long RETENTION_EVERY_MS = 3_600_000;

    private final String fleet;
    private final RetuneSettings settings;
    private final RetunePolicy policy;
    private final DeviceRepository devices;
    private final ModelRepository models;
    private final CatalogRepository catalogs;
    private final LatencyRepository latencyStore;
    private final RetuneRepository decisions;
    private final ControllerMetrics metrics;
    private final Clock clock;
    private final Map<String, DeviceLatency> latency = new HashMap<>();
    private final Map<String, TuningState> states = new HashMap<>();
    private final Map<String, Future<String>> labels = new HashMap<>();
    private DeviceCommands commands;
    private Future<Integer> evaluating;
    private final List<Long> timers = new ArrayList<>();

    public RetuneVerticle(String fleet, RetuneSettings settings, DeviceRepository devices,
                          ModelRepository models, CatalogRepository catalogs, LatencyRepository latencyStore,
                          RetuneRepository decisions, ControllerMetrics metrics, JobOrderSigner orders, Clock clock) {
        this.fleet = fleet;
        this.orders = orders;
        this.settings = settings;
        this.policy = new RetunePolicy(settings);
        this.devices = devices;
        this.models = models;
        this.catalogs = catalogs;
        this.latencyStore = latencyStore;
        this.decisions = decisions;
        this.metrics = metrics;
        this.clock = clock;
    }

    @Override
    public Future<?> start() {
        GenerationEvent.register(vertx);
        commands = new DeviceCommands(vertx);
        timers.add(vertx.setPeriodic(settings.evaluateEveryMs(), t -> evaluateAll()));
        timers.add(vertx.setPeriodic(1000, RETENTION_EVERY_MS, t -> applyRetention()));
        return Future.all(
                vertx.eventBus().<GenerationEvent>consumer(GenerationEvent.ADDRESS, m -> onGeneration(m.body()))
                        .completion(),
                vertx.eventBus().<String>consumer(LATENCY, m -> m.reply(snapshot(m.body()))).completion(),
                vertx.eventBus().<JsonArray>consumer(LATENCY_PERCENTILES, m -> m.reply(percentiles(m.body())))
                        .completion(),
                vertx.eventBus().consumer(EVALUATE, m -> evaluateAll().onComplete(ar -> {
                    if (ar.succeeded()) {
                        m.reply(ar.result());
                    } else {
                        m.fail(500, ar.cause().getMessage());
                    }
                })).completion());
    }

    @Override
    public Future<?> stop() {
        timers.forEach(vertx::cancelTimer);
        List<Future<Void>> flushes = new ArrayList<>();
        for (DeviceLatency d : latency.values()) {
            MinuteBucket b = d.currentBucket();
            if (b != null) {
                flushes.add(latencyStore.store(b));
            }
        }
        return Future.join(flushes).otherwiseEmpty();
    }

    private void onGeneration(GenerationEvent e) {
        GenerationSample s;
        try {
            s = GenerationSample.from(e.record(), e.receivedAtMs());
        } catch (IllegalArgumentException bad) {
            LOG.warn("generation record {} of {} ignored: {}", e.record().getRequestId(), e.deviceId(), bad.getMessage());
            return;
        }
        DeviceLatency d = latency.computeIfAbsent(e.deviceId(),
                id -> new DeviceLatency(id, settings.windowSamples(), settings.windowMs()));
        MinuteBucket closed = d.add(s);
        if (closed != null) {
            latencyStore.store(closed).onFailure(x -> LOG.warn("storing latency history of {} failed: {}",
                    e.deviceId(), x.getMessage()));
        }
        // the first generation of a device waits for its label, so it is not counted under "none"
        Future<String> label = labels.computeIfAbsent(e.deviceId(), id -> devices.find(fleet, id)
                .map(rec -> rec.map(r -> r.labels().isEmpty() ? "none" : r.labels().get(0)).orElse("none"))
                .otherwise("none"));
        double totalMs = s.totalMs();
        label.onSuccess(l -> metrics.reportGeneration(l, totalMs));
    }

    /**
     * The fleet table's view of many devices at once (one request per few hundred devices rather
     * than one per device): window percentiles and the latest schedule; devices without samples
     * are left out.
     */
    private JsonObject percentiles(JsonArray ids) {
        long now = clock.millis();
        JsonObject out = new JsonObject();
        for (Object id : ids) {
            DeviceLatency d = latency.get(String.valueOf(id));
            Percentiles p = d == null ? null : d.percentiles(now, null);
            if (p != null && p.count() > 0) {
                out.put(d.deviceId(), new JsonObject().put("samples", p.count()).put("p50Ms", num(p.p50()))
                        .put("p95Ms", num(p.p95())).put("p99Ms", num(p.p99())).put("scheduleId", d.lastScheduleId()));
            }
        }
        return out;
    }

    private JsonObject snapshot(String deviceId) {
        DeviceLatency d = latency.get(deviceId);
        if (d == null) {
            return null;
        }
        long now = clock.millis();
        Percentiles p = d.percentiles(now, null);
        double[] phases = d.phaseMeans(now);
        JsonObject o = new JsonObject()
                .put("scheduleId", d.lastScheduleId())
                .put("window", new JsonObject().put("maxSamples", settings.windowSamples())
                        .put("maxAgeSeconds", settings.windowMs() / 1000).put("samples", p.count())
                        .put("p50Ms", num(p.p50())).put("p95Ms", num(p.p95())).put("p99Ms", num(p.p99()))
                        .put("meanMs", num(p.mean())).put("maxMs", num(p.max())))
                .put("phases", new JsonObject().put("lowMeanMs", num(phases[0])).put("highMeanMs", num(phases[1]))
                        .put("overheadMeanMs", num(phases[2])));
        CostModel m = d.costModel(now);
        if (m != null) {
            o.put("costModel", new JsonObject().put("lowStepMs", num(m.lowStepMs())).put("highStepMs", num(m.highStepMs()))
                    .put("overheadMs", num(m.overheadMs())).put("samples", m.samples())
                    .put("rmsResidualMs", num(m.rmsResidualMs())));
        }
        MinuteBucket b = d.currentBucket();
        if (b != null) {
            o.put("currentMinute", bucketJson(b));
        }
        return o;
    }

    public static JsonObject bucketJson(MinuteBucket b) {
        return new JsonObject().put("minute", Instant.ofEpochMilli(b.minuteMs()).toString())
                .put("count", b.count()).put("meanMs", num(b.meanMs())).put("maxMs", num(b.totalMaxMs()))
                .put("p50Ms", num(b.p50Ms())).put("p95Ms", num(b.p95Ms())).put("p99Ms", num(b.p99Ms()))
                .put("lowMeanMs", num(b.count() == 0 ? Double.NaN : b.lowSumMs() / b.count()))
                .put("highMeanMs", num(b.count() == 0 ? Double.NaN : b.highSumMs() / b.count()));
    }

    private static Double num(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? null : Math.round(v * 1000) / 1000.0;
    }

    /** One evaluation round at a time; a request during a round shares its result. */
    private Future<Integer> evaluateAll() {
        if (evaluating != null) {
            return evaluating;
        }
        Future<Integer> round = decisions.targets(fleet).compose(targets -> {
            Map<String, Future<List<CatalogEntry>>> catalogs = new HashMap<>();
            Map<String, Future<Optional<ModelRecord>>> modelInfo = new HashMap<>();
            List<Future<Boolean>> each = new ArrayList<>();
            for (TuningTarget t : targets) {
                if (t.modelId() == null) {
                    continue;
                }
                Future<List<CatalogEntry>> cat = catalogs.computeIfAbsent(t.modelId(), this.catalogs::catalog);
                Future<Optional<ModelRecord>> mi = modelInfo.computeIfAbsent(t.modelId(), models::find);
                each.add(Future.all(cat, mi).compose(v -> evaluate(t, cat.result(),
                        mi.result().map(ModelRecord::lowToHighCostRatio).orElse(0.25))));
            }
            return Future.join(each).transform(ar -> Future.succeededFuture(
                    (int) each.stream().filter(f -> f.succeeded() && f.result()).count()));
        });
        evaluating = round;
        round.onComplete(ar -> {
            evaluating = null;
            if (ar.failed()) {
                LOG.warn("retune round failed: {}", ar.cause().getMessage());
            }
        });
        return round;
    }

    private Future<Boolean> evaluate(TuningTarget t, List<CatalogEntry> catalog, double ratio) {
        long now = clock.millis();
        DeviceLatency d = latency.get(t.deviceId());
        Observation obs = d == null ? new Observation(null, null, Double.NaN, null, ratio, 0)
                : Observations.of(d, now, ratio);
        TuningState state = states.getOrDefault(t.deviceId(), TuningState.INITIAL);
        Decision decision = policy.decide(t.targetMs(), catalog, obs, state, now);
        states.put(t.deviceId(), decision.next());
        if (!decision.changes()) {
            LOG.debug("{}: keep ({})", t.deviceId(), decision.reason());
            return Future.succeededFuture(false);
        }
        String jobId = "retune-" + UUID.randomUUID().toString().substring(0, 8);
        JobCommand cmd = orders.applySchedule(t.deviceId(), jobId, ApplySchedule.newBuilder()
                .setSchedule(decision.to().schedule().toProto()).setReason(decision.reason()).build());
        String from = obs.runningScheduleId() != null ? obs.runningScheduleId() : t.scheduleId();
        EventLog.info(LOG, "retune.decision", "device", t.deviceId(), "job", jobId, "direction", decision.direction(),
                "from", from, "to", decision.to().scheduleId(), "predictedMs", Math.round(decision.predictedMs()),
                "observedP95Ms", Math.round(decision.observedP95Ms()), "targetMs", Math.round(t.targetMs()),
                "reason", decision.reason());
        return commands.sendJob(t.deviceId(), cmd)
                .compose(v -> decisions.record(new RetuneRecord(0, t.deviceId(), now, from, decision.to().scheduleId(),
                        decision.predictedMs(), decision.observedP95Ms(), t.targetMs(),
                        decision.direction() + ": " + decision.reason(), jobId)))
                .map(v -> {
                    metrics.reportRetuneDecision(decision.direction());
                    vertx.eventBus().publish(EventAddresses.DEVICE_CHANGED, t.deviceId());
                    return true;
                })
                .onFailure(e -> {
                    // not sent: forget it so the next round decides again
                    states.put(t.deviceId(), state);
                    LOG.warn("sending schedule {} to {} failed: {}", decision.to().scheduleId(), t.deviceId(),
                            e.getMessage());
                });
    }

    private void applyRetention() {
        latencyStore.deleteBefore(clock.millis() - settings.historyRetentionMs())
                .onSuccess(n -> {
                    if (n > 0) {
                        LOG.info("deleted {} latency history minutes past retention", n);
                    }
                })
                .onFailure(e -> LOG.warn("latency history retention failed: {}", e.getMessage()));
    }

    static JsonArray toJson(List<RetuneRecord> records) {
        JsonArray a = new JsonArray();
        for (RetuneRecord r : records) {
            JsonObject o = new JsonObject().put("at", Instant.ofEpochMilli(r.decidedMs()).toString())
                    .put("from", r.fromSchedule()).put("to", r.toSchedule()).put("predictedMs", num(r.predictedMs()))
                    .put("observedP95Ms", r.observedP95Ms() == null ? null : num(r.observedP95Ms()))
                    .put("targetMs", r.targetMs()).put("reason", r.reason()).put("jobId", r.jobId());
            a.add(o);
        }
        return a;
    }
}
