package io.c2f.controller.schedule;

import io.c2f.controller.log.EventLog;
import io.c2f.controller.metrics.ControllerMetrics;
import io.c2f.controller.model.CatalogEntry;
import io.c2f.controller.model.ModelRecord;
import io.c2f.controller.model.ModelRegistry;
import io.c2f.controller.model.ModelRepository;
import io.c2f.models.c2f.Interpolation;
import io.c2f.models.c2f.SwitchMethod;
import io.c2f.models.diffusion.Denoiser;
import io.c2f.models.tensor.Resolution;
import io.c2f.schedules.Baselines;
import io.c2f.schedules.cli.DenoiserSource;
import io.c2f.schedules.cli.ScheduleTool;
import io.c2f.schedules.rank.RankAnalysis;
import io.c2f.schedules.trd.TrdConfig;
import io.c2f.schedules.trd.TrdResult;
import io.c2f.schedules.trd.TrdSearch;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs schedule searches (TRD, optionally after a rank analysis for the switch) as jobs on a
 * worker pool of bounded size: at most {@code concurrency} run at once, the rest wait QUEUED. Each
 * job records its progress and its results; found schedules join the model's catalog.
 */
public final class SearchService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SearchService.class);
    /** Bounded queue: more waiting searches than this are refused. */
    public static final int MAX_QUEUED = 16;

    private final ModelRepository models;
    private final SearchRepository searches;
    private final ControllerMetrics metrics;
    private final Clock clock;
    private final WorkerExecutor workers;
    private final AtomicInteger pending = new AtomicInteger();

    public SearchService(Vertx vertx, ModelRepository models, SearchRepository searches, ControllerMetrics metrics,
                         Clock clock, int concurrency) {
        this.models = models;
        this.searches = searches;
        this.metrics = metrics;
        this.clock = clock;
        this.workers = vertx.createSharedWorkerExecutor("c2f-search-" + UUID.randomUUID(), concurrency, 24,
                TimeUnit.HOURS);
    }

    /** Queues a search; the future has the job as queued. Fails with IllegalStateException when the queue is full. */
    public Future<SearchJob> submit(ModelRecord model, SearchRequest request) {
        if (pending.incrementAndGet() > MAX_QUEUED) {
            pending.decrementAndGet();
            return Future.failedFuture(new IllegalStateException("too many searches waiting (" + MAX_QUEUED
                    + "); try again when one has finished"));
        }
        long now = clock.millis();
        SearchJob job = new SearchJob("search-" + UUID.randomUUID().toString().substring(0, 8), model.id(),
                request.toJson(), "QUEUED", 0, "waiting for a worker", List.of(), now, now);
        return searches.insert(job).onFailure(e -> pending.decrementAndGet()).map(v -> {
            workers.executeBlocking(() -> {
                run(job.id(), model, request);
                return null;
            }, false).onComplete(ar -> pending.decrementAndGet());
            return job;
        });
    }

    public Future<java.util.Optional<SearchJob>> find(String id) {
        return searches.find(id);
    }

    // on a search worker: blocking is fine here, and keeps the job's updates in order
    private void run(String id, ModelRecord model, SearchRequest req) {
        long start = System.nanoTime();
        List<String> results = new ArrayList<>();
        try {
            update(id, "RUNNING", 0, "opening model " + model.id(), results);
            EventLog.info(LOG, "search.started", "search", id, "model", model.id());
            DenoiserSource source = DenoiserSource.forModel(model.source());
            TrdConfig cfg = TrdConfig.defaults().withReferenceSteps(req.referenceSteps())
                    .withSeeds(TrdConfig.seeds(0, req.calibrationSeeds()),
                            TrdConfig.seeds(TrdConfig.HELDOUT_SEED_BASE, req.heldoutSeeds()))
                    .withBudget(Duration.ofSeconds(req.budgetSeconds()))
                    .withMaxEvaluations(req.maxEvaluations());
            try (Denoiser denoiser = source.open()) {
                TrdSearch search = new TrdSearch(denoiser, source.noiseSchedule(), cfg);
                int trainT = source.noiseSchedule().trainTimesteps();
                Resolution high = source.highResolution();
                boolean c2f = !req.mode().equals("full");
                Integer switchTimestep = null;
                if (c2f && req.switchIndex() == 0) {
                    update(id, "RUNNING", 0, "rank analysis for the switch time step", results);
                    switchTimestep = ScheduleTool.autoSwitchTimestep(source, denoiser,
                            new PrintStream(java.io.OutputStream.nullOutputStream()));
                }
                int total = req.searches();
                int done = 0;
                List<CatalogEntry> found = new ArrayList<>();
                for (int k : req.steps()) {
                    for (String mode : req.mode().equals("both") ? List.of("full", "c2f") : List.of(req.mode())) {
                        String sid = model.id() + "-trd-k" + k + "-" + mode;
                        int base = done;
                        update(id, "RUNNING", (double) done / total, "searching " + sid, results);
                        TrdResult r;
                        if (mode.equals("full")) {
                            r = search.searchFull(k, high, sid, source.modelSha256(), p -> { });
                        } else {
                            Resolution low = source.lowResolution().orElseThrow(() -> new IllegalArgumentException(
                                    "model " + model.id() + " has one resolution: C2F is not possible"));
                            int s = req.switchIndex() > 0 ? req.switchIndex()
                                    : RankAnalysis.switchIndexFor(Baselines.uniform(k, trainT, high, 0f).timesteps(),
                                            switchTimestep);
                            s = Math.max(1, Math.min(k - 1, s));
                            r = search.searchC2f(k, s, low, high, SwitchMethod.UPSAMPLE_XT_VARIANCE_CORRECTED,
                                    Interpolation.NEAREST, sid, source.modelSha256(), p -> { });
                        }
                        found.add(ModelRegistry.entry(model, r.schedule()));
                        results.add(sid);
                        done = base + 1;
                        EventLog.info(LOG, "search.schedule.found", "search", id, "model", model.id(), "schedule", sid,
                                "heldoutLoss", r.heldoutLoss(), "evaluations", r.evaluations(), "seconds",
                                String.format(java.util.Locale.ROOT, "%.1f", r.searchSeconds()));
                    }
                }
                join(models.saveSchedules(found, clock.millis()));
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            metrics.reportSearchFinished(true, seconds);
            EventLog.info(LOG, "search.succeeded", "search", id, "model", model.id(), "schedules", results.size(),
                    "seconds", String.format(java.util.Locale.ROOT, "%.1f", seconds));
            update(id, "SUCCEEDED", 1, "added " + results.size() + " schedules in " + String.format("%.1f", seconds)
                    + " s", results);
        } catch (Exception e) {
            metrics.reportSearchFinished(false, (System.nanoTime() - start) / 1e9);
            EventLog.warn(LOG, "search.failed", "search", id, "model", model.id(), "reason", e.toString());
            try {
                update(id, "FAILED", 0, e.getClass().getSimpleName() + ": " + e.getMessage(), results);
            } catch (RuntimeException ignored) {
                // the database is gone; the next start marks it interrupted
            }
        }
    }

    private void update(String id, String state, double progress, String message, List<String> results) {
        join(searches.update(id, state, progress, message, List.copyOf(results), clock.millis()));
    }

    private static <T> T join(Future<T> f) {
        return f.toCompletionStage().toCompletableFuture().join();
    }

    @Override
    public void close() {
        workers.close();
    }
}
