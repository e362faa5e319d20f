package io.c2f.controller.search;

import io.c2f.controller.catalog.ScheduleCatalog;
import io.c2f.controller.catalog.CatalogRepository;
import io.c2f.controller.api.TooManyRequestsException;
import io.c2f.controller.log.EventLog;
import io.c2f.controller.metrics.ControllerMetrics;
import io.c2f.controller.catalog.CatalogEntry;
import io.c2f.controller.model.ModelRecord;
import io.c2f.controller.model.ModelRepository;
import io.c2f.models.c2f.Interpolation;
import io.c2f.models.c2f.SwitchMethod;
import io.c2f.models.diffusion.Denoiser;
import io.c2f.models.tensor.Resolution;
import io.c2f.schedules.Baselines;
import io.c2f.models.engine.DenoiserSource;
import io.c2f.schedules.trd.AutoSwitch;
import io.c2f.schedules.rank.RankAnalysis;
import io.c2f.schedules.trd.TrdConfig;
import io.c2f.schedules.trd.TrdResult;
import io.c2f.schedules.trd.TrdSearch;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
    private final CatalogRepository catalogs;
    private final SearchRepository searches;
    private final ControllerMetrics metrics;
    private final Clock clock;
    private final WorkerExecutor workers;
    private final AtomicInteger pending = new AtomicInteger();
    private final Vertx vertx;
    private final String instanceId;
    /** Jobs handed to the workers and not yet ended (waiting or running). */
    private final Set<String> active = ConcurrentHashMap.newKeySet();
    private volatile boolean stopping;

    /** Thrown inside a search (from its progress callback) when the controller stops. */
    private static final class StopRequested extends RuntimeException {
        StopRequested() {
            super("the controller is stopping", null, false, false);
        }
    }

    /**
     * @param instanceId the controller instance running the jobs: a restart of it re-queues the ones it
     *     left unfinished ({@link #resumeInterrupted()})
     */
    public SearchService(Vertx vertx, ModelRepository models, CatalogRepository catalogs, SearchRepository searches,
                         ControllerMetrics metrics, Clock clock, int concurrency, String instanceId) {
        this.vertx = vertx;
        this.instanceId = instanceId;
        this.models = models;
        this.catalogs = catalogs;
        this.searches = searches;
        this.metrics = metrics;
        this.clock = clock;
        this.workers = vertx.createSharedWorkerExecutor("c2f-search-" + UUID.randomUUID(), concurrency, 24,
                TimeUnit.HOURS);
    }

    /**
     * Queues a search; the future has the job as queued. Fails with {@link TooManyRequestsException}
     * when the queue is full or the controller is stopping.
     */
    public Future<SearchJob> submit(ModelRecord model, SearchRequest request) {
        if (stopping) {
            return Future.failedFuture(new TooManyRequestsException("the controller is stopping; submit the search again "
                    + "when it is back"));
        }
        if (pending.incrementAndGet() > MAX_QUEUED) {
            pending.decrementAndGet();
            return Future.failedFuture(new TooManyRequestsException("too many searches waiting (" + MAX_QUEUED
                    + "); try again when one has finished"));
        }
        long now = clock.millis();
        SearchJob job = new SearchJob("search-" + UUID.randomUUID().toString().substring(0, 8), model.id(),
                request.toJson(), "QUEUED", 0, "waiting for a worker", List.of(), now, now);
        return searches.insert(job, instanceId).onFailure(e -> pending.decrementAndGet()).map(v -> {
            schedule(job.id(), model, request);
            return job;
        });
    }

    private void schedule(String id, ModelRecord model, SearchRequest request) {
        active.add(id);
        workers.executeBlocking(() -> {
            run(id, model, request);
            return null;
        }, false).onComplete(ar -> {
            active.remove(id);
            pending.decrementAndGet();
        });
    }

    /**
     * Runs again, from the start, the searches this instance left QUEUED or RUNNING when it last
     * stopped (a search has no intermediate state worth keeping: its result is one catalog write).
     *
     * @return how many were re-queued
     */
    public Future<Integer> resumeInterrupted() {
        return searches.interrupted(instanceId).compose(jobs -> {
            Future<Integer> chain = Future.succeededFuture(0);
            for (SearchRepository.Interrupted j : jobs) {
                chain = chain.compose(n -> resume(j).map(resumed -> resumed ? n + 1 : n));
            }
            return chain;
        }).onSuccess(n -> {
            if (n > 0) {
                LOG.info("re-queued {} schedule searches interrupted by the last stop", n);
            }
        });
    }

    private Future<Boolean> resume(SearchRepository.Interrupted j) {
        SearchRequest request;
        try {
            request = SearchRequest.fromJson(j.request());
        } catch (RuntimeException e) {
            return searches.update(j.id(), "FAILED", 0, "cannot resume after a restart: " + e.getMessage(), List.of(),
                    clock.millis()).map(false);
        }
        return models.find(j.modelId()).compose(model -> {
            if (model.isEmpty()) {
                return searches.update(j.id(), "FAILED", 0, "cannot resume after a restart: model " + j.modelId()
                        + " is gone", List.of(), clock.millis()).map(false);
            }
            return searches.requeue(j.id(), instanceId, "re-queued after a controller restart", clock.millis())
                    .map(v -> {
                        pending.incrementAndGet();
                        schedule(j.id(), model.get(), request);
                        return true;
                    });
        });
    }

    /**
     * Graceful stop: takes no new searches, asks running ones to stop at their next evaluation (they
     * record themselves QUEUED, for {@link #resumeInterrupted()} on the next start), and waits for the
     * workers at most {@code timeoutMs}.
     *
     * @return how many jobs were still with the workers at the deadline (their rows stay QUEUED or
     *     RUNNING, which the next start re-queues as well)
     */
    public Future<Integer> drain(long timeoutMs) {
        stopping = true;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        return vertx.executeBlocking(() -> {
            while (!active.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            return active.size();
        }, false);
    }

    private void checkStopping() {
        if (stopping) {
            throw new StopRequested();
        }
    }

    public Future<Optional<SearchJob>> find(String id) {
        return searches.find(id);
    }

    // on a search worker: blocking is fine here, and keeps the job's updates in order
    private void run(String id, ModelRecord model, SearchRequest req) {
        long start = System.nanoTime();
        List<String> results = new ArrayList<>();
        try {
            checkStopping();
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
                    switchTimestep = AutoSwitch.timestep(source, denoiser,
                            new PrintStream(OutputStream.nullOutputStream()));
                }
                int total = req.searches();
                int done = 0;
                List<CatalogEntry> found = new ArrayList<>();
                for (int k : req.steps()) {
                    for (String mode : req.mode().equals("both") ? List.of("full", "c2f") : List.of(req.mode())) {
                        checkStopping();
                        String sid = model.id() + "-trd-k" + k + "-" + mode;
                        int base = done;
                        update(id, "RUNNING", (double) done / total, "searching " + sid, results);
                        TrdResult r;
                        if (mode.equals("full")) {
                            r = search.searchFull(k, high, sid, source.modelSha256(), p -> checkStopping());
                        } else {
                            Resolution low = source.lowResolution().orElseThrow(() -> new IllegalArgumentException(
                                    "model " + model.id() + " has one resolution: C2F is not possible"));
                            int s = req.switchIndex() > 0 ? req.switchIndex()
                                    : RankAnalysis.switchIndexFor(Baselines.uniform(k, trainT, high, 0f).timesteps(),
                                            switchTimestep);
                            s = Math.max(1, Math.min(k - 1, s));
                            r = search.searchC2f(k, s, low, high, SwitchMethod.UPSAMPLE_XT_VARIANCE_CORRECTED,
                                    Interpolation.NEAREST, sid, source.modelSha256(), p -> checkStopping());
                        }
                        found.add(ScheduleCatalog.entry(model, r.schedule()));
                        results.add(sid);
                        done = base + 1;
                        EventLog.info(LOG, "search.schedule.found", "search", id, "model", model.id(), "schedule", sid,
                                "heldoutLoss", r.heldoutLoss(), "evaluations", r.evaluations(), "seconds",
                                String.format(Locale.ROOT, "%.1f", r.searchSeconds()));
                    }
                }
                join(catalogs.saveSchedules(found, clock.millis()));
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            metrics.reportSearchFinished(true, seconds);
            EventLog.info(LOG, "search.succeeded", "search", id, "model", model.id(), "schedules", results.size(),
                    "seconds", String.format(Locale.ROOT, "%.1f", seconds));
            update(id, "SUCCEEDED", 1, "added " + results.size() + " schedules in " + String.format("%.1f", seconds)
                    + " s", results);
        } catch (StopRequested e) {
            LOG.info("search {} stopped with the controller: re-queued for the next start", id);
            try {
                update(id, "QUEUED", 0, "re-queued: the controller stopped while it ran; its next start runs it again",
                        List.of());
            } catch (RuntimeException ignored) {
                // the database is gone: the row still says RUNNING, which the next start re-queues too
            }
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
