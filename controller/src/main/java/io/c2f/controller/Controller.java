package io.c2f.controller;

import io.c2f.controller.api.ApiRoutes;
import io.c2f.controller.api.ApiVerticle;
import io.c2f.controller.api.HttpSettings;
import io.c2f.controller.auth.ApiTokens;
import io.c2f.controller.auth.BearerAuthHandler;
import io.c2f.controller.broker.ControllerLogin;
import io.c2f.controller.broker.EmbeddedBroker;
import io.c2f.controller.bundle.BundleDeliveryVerticle;
import io.c2f.controller.bundle.BundleService;
import io.c2f.controller.bundle.PayloadStore;
import io.c2f.controller.catalog.CatalogRepository;
import io.c2f.controller.catalog.CatalogRoutes;
import io.c2f.controller.config.BindAddress;
import io.c2f.controller.config.ConfigException;
import io.c2f.controller.config.ControllerConfig;
import io.c2f.controller.config.ExposureCheck;
import io.c2f.controller.dashboard.DashboardRoutes;
import io.c2f.controller.enrol.BrokerAdmission;
import io.c2f.controller.enrol.DynsecAdmission;
import io.c2f.controller.enrol.EmbeddedAdmission;
import io.c2f.controller.enrol.EnrolmentRepository;
import io.c2f.controller.enrol.EnrolmentRoutes;
import io.c2f.controller.enrol.EnrolmentService;
import io.c2f.controller.enrol.EnrolmentVerticle;
import io.c2f.controller.enrol.ManualAdmission;
import io.c2f.controller.files.ModelsDirectory;
import io.c2f.controller.generate.GenerateRoutes;
import io.c2f.controller.generate.GeneratedImageRepository;
import io.c2f.controller.generate.ImageStore;
import io.c2f.controller.job.JobOrderSigner;
import io.c2f.controller.job.JobRepository;
import io.c2f.controller.metrics.ControllerMetrics;
import io.c2f.controller.metrics.MicrometerControllerMetrics;
import io.c2f.controller.model.ModelDocumentRoutes;
import io.c2f.controller.model.ModelDocuments;
import io.c2f.controller.model.ModelRepository;
import io.c2f.controller.model.ModelRoutes;
import io.c2f.controller.mqtt.LocalCodec;
import io.c2f.controller.mqtt.MqttIngressVerticle;
import io.c2f.controller.mqtt.MqttSettings;
import io.c2f.controller.registry.RegistrySettings;
import io.c2f.controller.registry.RegistryVerticle;
import io.c2f.controller.retune.RetuneRepository;
import io.c2f.controller.retune.RetuneSettings;
import io.c2f.controller.retune.RetuneVerticle;
import io.c2f.controller.retune.TuningRoutes;
import io.c2f.controller.rollout.RolloutApi;
import io.c2f.controller.rollout.RolloutService;
import io.c2f.controller.rollout.RolloutSettings;
import io.c2f.controller.rollout.RolloutStatesGauge;
import io.c2f.controller.rollout.RolloutVerticle;
import io.c2f.controller.search.SearchRepository;
import io.c2f.controller.search.SearchRoutes;
import io.c2f.controller.search.SearchService;
import io.c2f.controller.signing.BundleSigningKey;
import io.c2f.controller.signing.KeyPlacement;
import io.c2f.controller.store.Database;
import io.c2f.controller.store.DeviceRepository;
import io.c2f.controller.store.JdbcDeviceRepository;
import io.c2f.controller.telemetry.LatencyRepository;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running controller: the embedded broker (unless an external one is configured), the
 * database, and the verticles, started in dependency order and stopped in reverse. A controller
 * exists only once everything has started: {@link #start} wires the parts in one place
 * ({@link Parts#wire}), deploys them, and undoes what it did when a step fails.
 */
public final class Controller {
    private static final Logger LOG = LoggerFactory.getLogger(Controller.class);

    private final Vertx vertx;
    private final ControllerConfig config;
    private final Deployments deployments;
    private final Optional<EmbeddedBroker> broker;
    private final String mqttUrl;
    private final Database database;
    private final Parts parts;
    private final ModelsDirectory models;
    private boolean stopped;

    private Controller(Vertx vertx, ControllerConfig config, Deployments deployments, Optional<EmbeddedBroker> broker,
            String mqttUrl, Database database, Parts parts, ModelsDirectory models) {
        this.vertx = vertx;
        this.config = config;
        this.deployments = deployments;
        this.broker = broker;
        this.mqttUrl = mqttUrl;
        this.database = database;
        this.parts = parts;
        this.models = models;
    }

    /**
     * What a controller runs with beyond its config.
     *
     * @param tokens operator API tokens (none: the API is open, development only)
     * @param retune latency windows and retuning hysteresis
     * @param searchConcurrency schedule searches running at once
     * @param rollouts the rollout driver's pacing
     * @param clock the one clock every part reads
     */
    public record Options(ApiTokens tokens, RetuneSettings retune, int searchConcurrency, RolloutSettings rollouts,
                          Clock clock) {
        public Options(ApiTokens tokens, RetuneSettings retune, int searchConcurrency, RolloutSettings rollouts) {
            this(tokens, retune, searchConcurrency, rollouts, Clock.systemUTC());
        }

        public static Options defaults() {
            return new Options(ApiTokens.none(), RetuneSettings.defaults(), 1, RolloutSettings.defaults());
        }

        public Options withRollouts(RolloutSettings settings) {
            return new Options(tokens, retune, searchConcurrency, settings, clock);
        }

        Options withTokens(ApiTokens t) {
            return new Options(t, retune, searchConcurrency, rollouts, clock);
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
            return options.withTokens(tokens);
        }).compose(checked -> launch(vertx, ControllerLogin.complete(config), metrics, checked));
    }

    private static ApiTokens tokensOf(ControllerConfig config) {
        if (config.apiTokensFile().isEmpty()) {
            return ApiTokens.none();
        }
        ApiTokens tokens;
        try {
            tokens = ApiTokens.load(Path.of(config.apiTokensFile()));
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

    /** What the controller reads from disk before anything listens. */
    private record OnDisk(ModelsDirectory models, BundleSigningKey signingKey) {
        /** The key must be out of reach of everything the API serves or reads. */
        static OnDisk check(ControllerConfig config) throws IOException {
            ModelsDirectory models = ModelsDirectory.open(config.effectiveModelsDir());
            KeyPlacement.check(config.keysDir(), Map.of("models.dir", models.root(),
                    "image store", ImageStore.dirUnder(config.dataDir()), "bundle uploads", uploadsDir(config),
                    "bundle payloads", BundleService.payloadDir(config.dataDir())));
            return new OnDisk(models, BundleSigningKey.loadOrCreate(config.dataDir()));
        }
    }

    private static Future<Controller> launch(Vertx vertx, ControllerConfig config, ControllerMetrics metrics,
                                            Options options) {
        if (!options.tokens().enabled()) {
            LOG.warn("no API tokens configured: the HTTP API is open to anyone on this machine (loopback only)");
        }
        LocalCodec.registerOn(vertx);
        return vertx.executeBlocking(() -> OnDisk.check(config)).compose(files -> startBroker(vertx, config)
                .compose(broker -> openAndDeploy(vertx, config, metrics, options, files, broker)
                        .recover(e -> broker.map(EmbeddedBroker::close).orElse(Future.succeededFuture())
                                .transform(ignored -> Future.failedFuture(e)))));
    }

    private static Future<Optional<EmbeddedBroker>> startBroker(Vertx vertx, ControllerConfig config) {
        return config.embeddedBroker()
                ? EmbeddedBroker.startReservedFor(vertx, config, mqttSettings(config).clientId()).map(Optional::of)
                : Future.succeededFuture(Optional.empty());
    }

    private static Future<Controller> openAndDeploy(Vertx vertx, ControllerConfig config, ControllerMetrics metrics,
            Options options, OnDisk files, Optional<EmbeddedBroker> broker) {
        String mqttUrl = broker.map(EmbeddedBroker::url).orElse(config.mqttUrl());
        return vertx.executeBlocking(() -> Database.open(vertx, config)).compose(db -> {
            Deployments deployments = new Deployments(vertx);
            Parts parts;
            try {
                parts = Parts.wire(vertx, config, metrics, options, files, db, mqttUrl, broker);
            } catch (RuntimeException e) {
                return vertx.<Void>executeBlocking(() -> {
                    db.close();
                    return null;
                }).transform(ignored -> Future.<Controller>failedFuture(e));
            }
            return parts.deploy(deployments, broker)
                    .map(v -> {
                        Controller c = new Controller(vertx, config, deployments, broker, mqttUrl, db, parts,
                                files.models());
                        LOG.info("controller {} of fleet {} started: MQTT {}, HTTP port {}", config.instanceId(),
                                config.fleet(), mqttUrl, c.httpPort());
                        return c;
                    })
                    .recover(e -> deployments.undeployAll().compose(v -> vertx.<Void>executeBlocking(() -> {
                        parts.searches().close();
                        db.close();
                        return null;
                    })).transform(ignored -> Future.failedFuture(e)));
        });
    }

    /**
     * Every part of a running controller, built from the config in one place, with one clock.
     * Nothing here runs until {@link #deploy}.
     */
    private record Parts(DeviceRepository repository, RegistryVerticle registry, SearchService searches,
                         RetuneVerticle retune, BundleService bundles, RolloutService rollouts,
                         BundleDeliveryVerticle delivery, RolloutVerticle rolloutDriver, RolloutStatesGauge gauge,
                         Optional<DynsecAdmission> dynsec, EnrolmentVerticle enrolment, MqttIngressVerticle ingress,
                         ApiVerticle api) {

        static Parts wire(Vertx vertx, ControllerConfig config, ControllerMetrics metrics, Options options,
                OnDisk files, Database db, String mqttUrl, Optional<EmbeddedBroker> broker) {
            Clock clock = options.clock();
            DeviceRepository devices = new JdbcDeviceRepository(db);
            LatencyRepository latency = new LatencyRepository(db);
            ModelRepository models = new ModelRepository(db);
            CatalogRepository catalogs = new CatalogRepository(db);
            ModelDocuments documents = new ModelDocuments(db);
            RetuneRepository retune = new RetuneRepository(db);
            SearchService searches = new SearchService(vertx, models, catalogs, new SearchRepository(db), metrics, clock,
                    options.searchConcurrency(), config.instanceId());
            RolloutSettings pacing = options.rollouts();
            PayloadStore payloads = new PayloadStore(BundleService.payloadDir(config.dataDir()), 256L << 20);
            BundleService bundles = new BundleService(vertx, db, payloads, files.signingKey(), clock);
            JobRepository jobs = new JobRepository(db);
            RolloutService rollouts = new RolloutService(vertx, config.identity(), db, bundles, pacing, clock);
            Optional<DynsecAdmission> dynsec = "dynsec".equals(config.brokerEnrolment())
                    ? Optional.of(new DynsecAdmission(mqttSettings(config), mqttUrl)) : Optional.empty();
            BrokerAdmission admission = broker.<BrokerAdmission>map(EmbeddedAdmission::new)
                    .or(() -> dynsec.map(d -> d))
                    .orElseGet(ManualAdmission::new);
            EnrolmentService enrolments = new EnrolmentService(vertx, config.fleet(), new EnrolmentRepository(db),
                    admission, metrics, clock);
            List<ApiRoutes> routes = List.of(
                    new EnrolmentRoutes(enrolments),
                    new TuningRoutes(config.fleet(), latency, retune, models, clock),
                    new ModelRoutes(models, documents, id -> catalogs.catalog(id).map(CatalogRoutes::toJson),
                            files.models(), clock),
                    new CatalogRoutes(models, catalogs, files.models(), clock),
                    new SearchRoutes(models, searches),
                    new ModelDocumentRoutes(models, documents, clock),
                    new RolloutApi(vertx, bundles, rollouts, uploadsDir(config), files.models(),
                            config.modelUploadMaxBytes()),
                    new DashboardRoutes(config.fleet(), devices, rollouts),
                    new GenerateRoutes(config.fleet(), devices, models, catalogs, new GeneratedImageRepository(db),
                            new ImageStore(ImageStore.dirUnder(config.dataDir())), metrics, clock));
            ApiVerticle api = new ApiVerticle(httpSettings(config), devices, routes, new BearerAuthHandler(options.tokens()),
                    metrics instanceof MicrometerControllerMetrics m ? m::scrape : null);
            broker.ifPresent(b -> api.withEmbeddedBroker(b::running));
            return new Parts(devices,
                    new RegistryVerticle(registrySettings(config), devices, metrics, clock),
                    searches,
                    new RetuneVerticle(config.fleet(), options.retune(), devices, models, catalogs, latency, retune, metrics,
                            new JobOrderSigner(files.signingKey(), config.fleet(), clock), clock),
                    bundles,
                    rollouts,
                    new BundleDeliveryVerticle(config.identity(), bundles, jobs, pacing.chunksInFlight()),
                    new RolloutVerticle(config.identity(), rollouts, jobs, bundles, pacing, clock),
                    new RolloutStatesGauge(rollouts, metrics, 15_000),
                    dynsec,
                    new EnrolmentVerticle(enrolments),
                    new MqttIngressVerticle(mqttSettings(config), mqttUrl, metrics),
                    api);
        }

        /** Deploys in dependency order; the registry first: nothing may arrive before someone listens. */
        Future<Void> deploy(Deployments deployments, Optional<EmbeddedBroker> broker) {
            return deployments.deploy(registry)
                    .compose(v -> searches.resumeInterrupted())
                    .compose(n -> deployments.deploy(retune))
                    .compose(v -> deployments.deploy(delivery))
                    .compose(v -> deployments.deploy(rolloutDriver))
                    .compose(v -> deployments.deploy(gauge))
                    .compose(v -> dynsec.map(deployments::deploy).orElse(Future.succeededFuture()))
                    .compose(v -> deployments.deploy(enrolment)) // tokens and enrolled devices reach the broker first
                    .compose(v -> deployments.deploy(ingress))
                    .map(v -> {
                        broker.ifPresent(EmbeddedBroker::openToAll); // the ingress is subscribed: publishes reach it
                        return v;
                    })
                    .compose(v -> deployments.deploy(api));
        }
    }

    // Settings per component: derived from the config here and nowhere else.

    private static MqttSettings mqttSettings(ControllerConfig config) {
        return new MqttSettings(config.fleet(), config.instanceId(), config.mqttUsername(), config.mqttPassword(),
                config.mqttSharedGroup(), config.tls(), config.embeddedBroker());
    }

    private static RegistrySettings registrySettings(ControllerConfig config) {
        return new RegistrySettings(config.fleet(), config.mqttSharedGroup(), config.heartbeatTimeoutFactor(),
                config.defaultHeartbeatMs(), config.livenessSweepMs(), config.telemetryBatchSize(),
                config.telemetryBatchDelayMs(), config.telemetryQueueCapacity(), config.telemetryWriters(),
                config.telemetryAckAfterStore());
    }

    private static HttpSettings httpSettings(ControllerConfig config) {
        return new HttpSettings(config.fleet(), config.httpHost(), config.httpPort(), config.tls(),
                config.embeddedBroker());
    }

    private static Path uploadsDir(ControllerConfig config) {
        return config.dataDir().resolve("uploads");
    }

    /** The directory API callers may name files of ({@code models.dir}). */
    public ModelsDirectory models() {
        return models;
    }

    public int httpPort() {
        return parts.api().actualPort();
    }

    /** The broker the controller is connected to. */
    public String mqttUrl() {
        return mqttUrl;
    }

    public boolean hasEmbeddedBroker() {
        return broker.isPresent();
    }

    /** The in-process broker, when the controller runs one (its health for /healthz). */
    public Optional<EmbeddedBroker> embeddedBroker() {
        return broker;
    }

    public DeviceRepository repository() {
        return parts.repository();
    }

    public BundleService bundles() {
        return parts.bundles();
    }

    public RolloutService rollouts() {
        return parts.rollouts();
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
        Future<Void> intake = parts.ingress().stopIntake();
        Future<Void> http = parts.api().shutdown(drainMs);
        return intake.compose(v -> {
            LOG.info("shutdown 1/4 intake stopped: no new MQTT messages or HTTP connections; draining for at most {} ms",
                    drainMs);
            Future<Integer> writes = parts.registry().drain();
            Future<Integer> searchesLeft = parts.searches().drain(drainMs);
            return Future.join(writes, searchesLeft, http.otherwiseEmpty())
                    .timeout(drainMs + 1000, TimeUnit.MILLISECONDS)
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
        }).compose(v -> deployments.undeployAll()).compose(v -> {
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

    private void closeResources() {
        parts.searches().close();
        database.close();
    }

    private Future<Void> closeBroker() {
        return broker.map(EmbeddedBroker::close).orElse(Future.succeededFuture());
    }
}
