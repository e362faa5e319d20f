package io.c2f.controller;

import io.c2f.controller.api.ApiRoutes;
import io.c2f.controller.api.ApiVerticle;
import io.c2f.controller.auth.ApiTokens;
import io.c2f.controller.auth.BearerAuthHandler;
import io.c2f.controller.metrics.MicrometerControllerMetrics;
import io.c2f.controller.model.ModelRepository;
import io.c2f.controller.model.ModelRoutes;
import io.c2f.controller.retune.RetuneRepository;
import io.c2f.controller.retune.RetuneSettings;
import io.c2f.controller.retune.RetuneVerticle;
import io.c2f.controller.retune.TuningRoutes;
import io.c2f.controller.schedule.SearchRepository;
import io.c2f.controller.schedule.SearchRoutes;
import io.c2f.controller.schedule.SearchService;
import io.c2f.controller.telemetry.LatencyRepository;
import java.util.List;
import io.c2f.controller.broker.EmbeddedBroker;
import io.c2f.controller.bundle.BundleDeliveryVerticle;
import io.c2f.controller.bundle.BundleService;
import io.c2f.controller.signing.BundleSigningKey;
import io.c2f.controller.signing.KeyPlacement;
import io.c2f.controller.files.ModelsDirectory;
import io.c2f.controller.bundle.PayloadStore;
import io.c2f.controller.job.JobRepository;
import io.c2f.controller.rollout.RolloutApi;
import io.c2f.controller.rollout.RolloutService;
import io.c2f.controller.rollout.RolloutSettings;
import io.c2f.controller.rollout.RolloutVerticle;
import io.c2f.controller.broker.ControllerLogin;
import io.c2f.controller.config.BindAddress;
import io.c2f.controller.config.ConfigException;
import io.c2f.controller.config.ControllerConfig;
import io.c2f.controller.config.ExposureCheck;
import io.c2f.controller.metrics.ControllerMetrics;
import io.c2f.controller.mqtt.LocalCodec;
import io.c2f.controller.mqtt.MqttIngressVerticle;
import io.c2f.controller.registry.RegistryVerticle;
import io.c2f.controller.store.Database;
import io.c2f.controller.store.DeviceRepository;
import io.c2f.controller.store.JdbcDeviceRepository;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running controller: the embedded broker (unless an external one is configured), the
 * database, and the verticles, started in dependency order and stopped in reverse.
 */
public final class Controller {
    private static final Logger LOG = LoggerFactory.getLogger(Controller.class);

    private final Vertx vertx;
    private final ControllerConfig config;
    private final Deque<String> deployments = new ArrayDeque<>();
    private EmbeddedBroker broker;
    private Database database;
    private DeviceRepository repository;
    private ApiVerticle api;
    private SearchService searches;
    private List<ApiRoutes> extensions = List.of();
    private String mqttUrl;
    private BundleService bundles;
    private JobRepository jobs;
    private RolloutService rollouts;
    private RegistryVerticle registry;
    private MqttIngressVerticle ingress;
    private boolean stopped;
    private ModelsDirectory models;
    private BundleSigningKey signingKey;

    private Controller(Vertx vertx, ControllerConfig config) {
        this.vertx = vertx;
        this.config = config;
    }

    /**
     * What a controller runs with beyond its config.
     *
     * @param tokens operator API tokens (none: the API is open, development only)
     * @param retune latency windows and retuning hysteresis
     * @param searchConcurrency schedule searches running at once
     * @param rollouts the rollout driver's pacing
     */
    public record Options(ApiTokens tokens, RetuneSettings retune, int searchConcurrency, RolloutSettings rollouts) {
        public static Options defaults() {
            return new Options(ApiTokens.none(), RetuneSettings.defaults(), 1, RolloutSettings.defaults());
        }

        public Options withRollouts(RolloutSettings settings) {
            return new Options(tokens, retune, searchConcurrency, settings);
        }
    }

    /** Starts everything; on failure, whatever was started is stopped again and the future fails. */
    public static Future<Controller> start(Vertx vertx, ControllerConfig config, ControllerMetrics metrics) {
        return start(vertx, config, metrics, Options.defaults());
    }

    /** As {@link #start(Vertx, ControllerConfig, ControllerMetrics)}, with the rollout driver's pacing. */
    public static Future<Controller> start(Vertx vertx, ControllerConfig config, ControllerMetrics metrics,
            RolloutSettings rolloutSettings) {
        return start(vertx, config, metrics, Options.defaults().withRollouts(rolloutSettings));
    }

    /**
     * Starts everything; on failure, whatever was started is stopped again and the future fails.
     * Before anything listens: the API tokens are {@code options.tokens()}, or when those are none,
     * the ones of {@code api.tokens.file}; a listener reachable from other machines without tokens
     * or device credentials fails the start ({@link ExposureCheck}); the controller's login to its
     * embedded broker is made up when none is configured ({@link ControllerLogin}).
     */
    public static Future<Controller> start(Vertx vertx, ControllerConfig config, ControllerMetrics metrics,
                                           Options options) {
        return vertx.executeBlocking(() -> {
            ApiTokens tokens = options.tokens().enabled() ? options.tokens() : tokensOf(config);
            ExposureCheck.require(config, tokens.enabled(), BindAddress.SYSTEM);
            ExposureCheck.cleartextWarnings(config, BindAddress.SYSTEM).forEach(LOG::warn);
            return new Options(tokens, options.retune(), options.searchConcurrency(), options.rollouts());
        }).compose(checked -> launch(vertx, ControllerLogin.complete(config), metrics, checked));
    }

    private static ApiTokens tokensOf(ControllerConfig config) {
        if (config.apiTokensFile().isEmpty()) {
            return ApiTokens.none();
        }
        ApiTokens tokens;
        try {
            tokens = ApiTokens.load(java.nio.file.Path.of(config.apiTokensFile()));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("api.tokens.file: " + e.getMessage(), e);
        }
        if (!tokens.enabled()) {
            // an empty file must not leave the API open while the operator believes it guarded
            throw new ConfigException("api.tokens.file " + config.apiTokensFile() + " holds no tokens (lines "
                    + "name = role:sha256hex; see controller/README.md, 'Security settings')");
        }
        return tokens;
    }

    private static Future<Controller> launch(Vertx vertx, ControllerConfig config, ControllerMetrics metrics,
                                            Options options) {
        RolloutSettings rolloutSettings = options.rollouts();
        Controller c = new Controller(vertx, config);
        if (!options.tokens().enabled()) {
            LOG.warn("no API tokens configured: the HTTP API is open to anyone on this machine (loopback only)");
        }
        LocalCodec.registerOn(vertx);
        // before anything listens: the key must be out of reach of everything the API serves or reads
        Future<Void> filesChecked = vertx.executeBlocking(() -> {
            c.models = ModelsDirectory.open(config.effectiveModelsDir());
            KeyPlacement.check(config.keysDir(), java.util.Map.of("models.dir", c.models.root(),
                    "image store", io.c2f.controller.generate.ImageStore.dirUnder(config.dataDir()),
                    "bundle uploads", uploadsDir(config), "bundle payloads", BundleService.payloadDir(config.dataDir())));
            c.signingKey = BundleSigningKey.loadOrCreate(config.dataDir());
            return null;
        });
        Future<Void> brokerUp = filesChecked.compose(checked -> config.embeddedBroker()
                ? EmbeddedBroker.startReservedFor(vertx, config, MqttIngressVerticle.clientId(config)).map(b -> {
                    c.broker = b;
                    c.mqttUrl = b.url();
                    return null;
                })
                : Future.succeededFuture().<Void>map(v -> {
                    c.mqttUrl = config.mqttUrl();
                    return null;
                }));
        return brokerUp
                .compose(v -> vertx.executeBlocking(() -> Database.open(vertx, config)))
                .compose(db -> {
                    c.database = db;
                    c.repository = new JdbcDeviceRepository(db);
                    // the registry first: nothing may arrive before someone listens
                    c.registry = new RegistryVerticle(config, c.repository, metrics, Clock.systemUTC());
                    return c.deploy(c.registry);
                })
                .compose(v -> {
                    Clock clock = Clock.systemUTC();
                    LatencyRepository latency = new LatencyRepository(c.database);
                    ModelRepository models = new ModelRepository(c.database);
                    RetuneRepository retune = new RetuneRepository(c.database);
                    SearchRepository searchJobs = new SearchRepository(c.database);
                    c.searches = new SearchService(vertx, models, searchJobs, metrics, clock,
                            options.searchConcurrency(), config.instanceId());
                    c.extensions = List.of(new TuningRoutes(config.fleet(), latency, retune, models, clock),
                            new ModelRoutes(models, new io.c2f.controller.model.ModelDocuments(c.database), c.models, clock),
                            new SearchRoutes(models, c.searches));
                    return c.searches.resumeInterrupted().compose(n -> c.deploy(new RetuneVerticle(config,
                            options.retune(), c.repository, models, latency, retune, metrics,
                            new io.c2f.controller.job.JobOrderSigner(c.signingKey, config.fleet(), clock), clock)));
                })
                .compose(v -> {
                    BundleSigningKey key = c.signingKey;
                    PayloadStore payloads = new PayloadStore(BundleService.payloadDir(config.dataDir()), 256L << 20);
                    c.bundles = new BundleService(vertx, c.database, payloads, key, Clock.systemUTC());
                    c.jobs = new JobRepository(c.database);
                    c.rollouts = new RolloutService(vertx, config, c.database, c.bundles, rolloutSettings,
                            Clock.systemUTC());
                    return c.deploy(new BundleDeliveryVerticle(config, c.bundles, c.jobs,
                            rolloutSettings.chunksInFlight()));
                })
                .compose(v -> c.deploy(new RolloutVerticle(config, c.rollouts, c.jobs, c.bundles, rolloutSettings,
                        Clock.systemUTC())))
                .compose(v -> c.deploy(new io.c2f.controller.rollout.RolloutStatesGauge(c.rollouts, metrics, 15_000)))
                .compose(v -> {
                    c.ingress = new MqttIngressVerticle(config, c.mqttUrl, metrics);
                    return c.deploy(c.ingress);
                })
                .map(v -> {
                    if (c.broker != null) {
                        c.broker.openToAll(); // the ingress is subscribed: devices' publishes reach it
                    }
                    return v;
                })
                .compose(v -> {
                    List<ApiRoutes> routes = new java.util.ArrayList<>(c.extensions);
                    routes.add(new RolloutApi(vertx, c.bundles, c.rollouts, uploadsDir(config), c.models,
                            config.modelUploadMaxBytes()));
                    routes.add(new io.c2f.controller.dashboard.DashboardRoutes(config.fleet(), c.repository, c.rollouts));
                    routes.add(new io.c2f.controller.generate.GenerateRoutes(config.fleet(), c.repository,
                            new ModelRepository(c.database), new io.c2f.controller.generate.GeneratedImageRepository(c.database),
                            new io.c2f.controller.generate.ImageStore(io.c2f.controller.generate.ImageStore.dirUnder(config.dataDir())),
                            metrics, Clock.systemUTC()));
                    c.api = new ApiVerticle(config, c.repository, routes, new BearerAuthHandler(options.tokens()),
                            metrics instanceof MicrometerControllerMetrics m ? m::scrape : null);
                    EmbeddedBroker embedded = c.broker;
                    if (embedded != null) {
                        c.api.withEmbeddedBroker(embedded::running);
                    }
                    return c.deploy(c.api);
                })
                .map(v -> {
                    LOG.info("controller {} of fleet {} started: MQTT {}, HTTP port {}", config.instanceId(),
                            config.fleet(), c.mqttUrl, c.httpPort());
                    return c;
                })
                .recover(e -> c.stop().transform(ignored -> Future.failedFuture(e)));
    }

    private static java.nio.file.Path uploadsDir(ControllerConfig config) {
        return config.dataDir().resolve("uploads");
    }

    /** The directory API callers may name files of ({@code models.dir}). */
    public ModelsDirectory models() {
        return models;
    }

    private Future<Void> deploy(io.vertx.core.Deployable verticle) {
        return vertx.deployVerticle(verticle).map(id -> {
            deployments.push(id);
            return null;
        });
    }

    public int httpPort() {
        return api == null ? -1 : api.actualPort();
    }

    /** The broker the controller is connected to. */
    public String mqttUrl() {
        return mqttUrl;
    }

    public boolean hasEmbeddedBroker() {
        return broker != null;
    }

    /** The in-process broker, when the controller runs one (its health for /healthz). */
    public java.util.Optional<EmbeddedBroker> embeddedBroker() {
        return java.util.Optional.ofNullable(broker);
    }

    public DeviceRepository repository() {
        return repository;
    }

    public BundleService bundles() {
        return bundles;
    }

    public RolloutService rollouts() {
        return rollouts;
    }

    public ControllerConfig config() {
        return config;
    }

    /**
     * Graceful stop, in four logged phases: (1) intake: the MQTT ingress takes no more messages (they
     * stay with the broker for the next start) and the HTTP server no new connections; (2) drain: the
     * telemetry and registry writes accepted so far, HTTP requests in progress and schedule searches
     * get up to {@code shutdown.drain.ms} to finish (searches still running then are re-queued for the
     * next start); (3) release: the verticles stop in reverse start order (the rollout driver releases
     * its leases, the controller says offline and disconnects); (4) close: database and broker.
     * Calling it again does nothing.
     */
    public Future<Void> stop() {
        if (stopped) {
            return Future.succeededFuture();
        }
        stopped = true;
        long drainMs = config.shutdownDrainMs();
        long t0 = System.nanoTime();
        Future<Void> intake = ingress == null ? Future.succeededFuture() : ingress.stopIntake();
        Future<Void> http = api == null ? Future.succeededFuture() : api.shutdown(drainMs);
        return intake.compose(v -> {
            LOG.info("shutdown 1/4 intake stopped: no new MQTT messages or HTTP connections; draining for at most {} ms",
                    drainMs);
            Future<Integer> writes = registry == null ? Future.succeededFuture(0) : registry.drain();
            Future<Integer> searchesLeft = searches == null ? Future.succeededFuture(0) : searches.drain(drainMs);
            return Future.join(writes, searchesLeft, http.otherwiseEmpty())
                    .timeout(drainMs + 1000, java.util.concurrent.TimeUnit.MILLISECONDS)
                    .transform(ar -> {
                        if (ar.failed()) {
                            LOG.warn("shutdown 2/4 drain incomplete after {} ms: {} (what is left is redelivered or "
                                    + "re-queued on the next start)", drainMs, ar.cause().getMessage());
                        } else {
                            LOG.info("shutdown 2/4 drained in {} ms: writes of {} devices finished, {} searches "
                                    + "still running were left to re-queue", elapsedMs(t0), writes.result(),
                                    searchesLeft.result());
                        }
                        return Future.<Void>succeededFuture();
                    });
        }).compose(v -> undeployAll()).compose(v -> {
            LOG.info("shutdown 3/4 released: verticles stopped, rollout leases released, MQTT disconnected");
            return vertx.<Void>executeBlocking(() -> {
                closeResources();
                return null;
            });
        }).eventually(this::closeBroker).onComplete(ar -> LOG.info("shutdown 4/4 closed: database and broker closed; stopped in {} ms{}",
                elapsedMs(t0), ar.failed() ? " with an error: " + ar.cause().getMessage() : ""));
    }

    private static long elapsedMs(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private Future<Void> undeployAll() {
        Future<Void> chain = Future.succeededFuture();
        while (!deployments.isEmpty()) {
            String id = deployments.pop();
            chain = chain.compose(v -> vertx.undeploy(id).otherwise(e -> {
                LOG.warn("undeploying {} failed: {}", id, e.getMessage());
                return null;
            }));
        }
        return chain;
    }

    private void closeResources() {
        if (searches != null) {
            searches.close();
            searches = null;
        }
        if (database != null) {
            database.close();
            database = null;
        }
    }

    private Future<Void> closeBroker() {
        EmbeddedBroker b = broker;
        broker = null;
        return b == null ? Future.succeededFuture() : b.close();
    }
}
