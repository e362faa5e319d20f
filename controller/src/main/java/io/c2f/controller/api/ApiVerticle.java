package io.c2f.controller.api;

import static io.c2f.controller.api.Responses.error;
import static io.c2f.controller.api.Responses.json;

import io.c2f.controller.config.TlsSettings;
import io.c2f.controller.store.DeviceCursor;
import io.c2f.controller.store.DeviceQuery;
import io.c2f.controller.store.DeviceRecord;
import io.c2f.controller.store.DeviceRepository;
import io.c2f.controller.store.DeviceSort;
import io.c2f.controller.store.DeviceStatus;
import io.c2f.proto.topic.Topics;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.KeyStoreOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API: {@code GET /api/v1/devices}, {@code GET /api/v1/devices/{id}}, {@code GET /healthz}
 * (readiness: database and broker, see {@link HealthCheck}), {@code GET /livez} (liveness).
 * Errors are JSON {@code {"error": "..."}} with a status that says whose fault it is.
 */
public final class ApiVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(ApiVerticle.class);
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;

    private final HttpSettings settings;
    private final DeviceRepository repository;
    private final List<ApiRoutes> extensions;
    private final Handler<RoutingContext> auth;
    private final Supplier<String> metricsScrape;
    private BooleanSupplier brokerListening = () -> true;
    private volatile HttpServer server;
    private HealthCheck health;

    public ApiVerticle(HttpSettings settings, DeviceRepository repository) {
        this(settings, repository, List.of(), null, null);
    }

    /**
     * @param extensions more routes (mounted behind auth and the body handler)
     * @param auth guards {@code /api/v1/*}; null: open
     * @param metricsScrape serves {@code GET /metrics} (Prometheus text); null: no such route
     */
    public ApiVerticle(HttpSettings settings, DeviceRepository repository, List<ApiRoutes> extensions,
                       Handler<RoutingContext> auth, Supplier<String> metricsScrape) {
        this.settings = settings;
        this.repository = repository;
        this.extensions = List.copyOf(extensions);
        this.auth = auth;
        this.metricsScrape = metricsScrape;
    }

    @Override
    public Future<?> start() {
        Router router = Router.router(vertx);
        health = new HealthCheck(vertx, repository::ping, settings.embeddedBroker() ? "embedded" : "external",
                brokerListening);
        router.get("/healthz").handler(this::health);
        // liveness: the event loop answers (a database or broker outage is not cured by a restart)
        router.get("/livez").handler(rc -> json(rc, 200, new JsonObject().put("status", "UP")));
        if (metricsScrape != null) {
            router.get("/metrics").handler(rc -> vertx.executeBlocking(metricsScrape::get, false)
                    .onSuccess(text -> rc.response().putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
                            .end(text))
                    .onFailure(rc::fail));
        }
        if (auth != null) {
            router.route("/api/v1/*").handler(auth);
        }
        // routes that read their own bodies (uploads) go before the shared 1 MiB body handler
        extensions.stream().filter(ApiRoutes::ownsBody).forEach(e -> e.mount(vertx, router));
        router.route("/api/v1/*").handler(BodyHandler.create().setBodyLimit(1 << 20));
        router.get("/api/v1/openapi.yaml").handler(this::openApi);
        router.get("/api/v1/devices").handler(this::listDevices);
        router.get("/api/v1/devices/:id").handler(this::getDevice);
        extensions.stream().filter(e -> !e.ownsBody()).forEach(e -> e.mount(vertx, router));
        router.route().last().handler(rc -> error(rc, 404, "no resource " + rc.request().method() + " "
                + rc.request().path()));
        router.errorHandler(405, rc -> error(rc, 405, "method " + rc.request().method() + " not allowed on "
                + rc.request().path()));
        router.errorHandler(500, rc -> {
            if (rc.failure() instanceof ApiException refused) {
                Responses.fail(rc, refused); // thrown by a handler rather than failed in its future
                return;
            }
            LOG.error("request {} failed", rc.request().path(), rc.failure());
            error(rc, 500, "internal error");
        });
        return vertx.createHttpServer(serverOptions(settings.tls())).requestHandler(router)
                .listen(settings.port(), settings.host())
                .onSuccess(s -> server = s);
    }

    /** What {@code /healthz} asks about the embedded broker (its listener up); set before deploying. */
    public ApiVerticle withEmbeddedBroker(BooleanSupplier listening) {
        this.brokerListening = listening;
        return this;
    }

    /** Plain HTTP, or HTTPS with the configured key store or PEM certificate and key. */
    static HttpServerOptions serverOptions(TlsSettings tls) {
        HttpServerOptions options = new HttpServerOptions();
        if (!tls.httpKeystore().isEmpty()) {
            options.setSsl(true).setKeyCertOptions(new KeyStoreOptions()
                    .setType(TlsSettings.keystoreType(tls.httpKeystore()))
                    .setPath(tls.httpKeystore()).setPassword(tls.httpKeystorePassword()));
        } else if (!tls.httpCert().isEmpty()) {
            options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
                    .setCertPath(tls.httpCert()).setKeyPath(tls.httpKey()));
        }
        return options;
    }

    /**
     * Stops accepting connections and lets requests in progress finish, for at most the given time
     * (long-lived event streams of the dashboard are cut then).
     */
    public Future<Void> shutdown(long timeoutMs) {
        return server == null ? Future.succeededFuture()
                : server.shutdown(timeoutMs, TimeUnit.MILLISECONDS);
    }

    /** The port the API listens on (the real one when configured with 0). */
    public int actualPort() {
        return server == null ? -1 : server.actualPort();
    }

    /**
     * {@code ?status=&q=&sort=&order=&limit=&after=}: one page from the registry; {@code next}, when
     * there may be more, is what {@code after} takes to continue (see {@link DeviceCursor}).
     */
    private void listDevices(RoutingContext rc) {
        DeviceQuery query;
        try {
            query = deviceQuery(new QueryParams(rc));
        } catch (BadRequestException e) {
            Responses.fail(rc, e);
            return;
        }
        repository.query(settings.fleet(), query).onComplete(ar -> {
            if (ar.failed()) {
                storeFailed(rc, ar.cause());
                return;
            }
            List<DeviceRecord> page = ar.result();
            JsonArray devices = new JsonArray();
            page.forEach(d -> devices.add(toJson(d)));
            JsonObject body = new JsonObject().put("fleet", settings.fleet()).put("devices", devices)
                    .put("sort", query.sort().param()).put("order", query.descending() ? "desc" : "asc");
            if (page.size() == query.limit()) {
                body.put("next", DeviceCursor.after(query.sort(), page.get(page.size() - 1)).encode());
            }
            json(rc, 200, body);
        });
    }

    static DeviceQuery deviceQuery(QueryParams p) {
        DeviceStatus status = null;
        String statusParam = p.raw("status");
        if (statusParam != null) {
            try {
                status = DeviceStatus.valueOf(statusParam.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new BadRequestException("status '" + QueryParams.clip(statusParam) + "' must be ONLINE or OFFLINE");
            }
        }
        int limit = p.integer("limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        String text = p.search("q");
        DeviceSort sort;
        String sortParam = p.raw("sort");
        try {
            sort = sortParam == null ? DeviceSort.ID : DeviceSort.fromParam(sortParam);
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("sort '" + QueryParams.clip(sortParam) + "' " + e.getMessage());
        }
        boolean descending = "desc".equals(p.choice("order", "asc", List.of("asc", "desc")));
        String afterParam = p.raw("after");
        DeviceCursor after = null;
        if (afterParam != null) {
            try {
                after = DeviceCursor.parse(sort, afterParam);
            } catch (IllegalArgumentException e) {
                throw new BadRequestException("after '" + QueryParams.clip(afterParam) + "' " + e.getMessage());
            }
        }
        return new DeviceQuery(status, text, sort, descending, after, limit);
    }

    private void getDevice(RoutingContext rc) {
        String id = rc.pathParam("id");
        if (!Topics.isValidId(id)) {
            error(rc, 400, "device id '" + id + "' must be 1-64 characters of [A-Za-z0-9_.-]");
            return;
        }
        repository.find(settings.fleet(), id).onComplete(ar -> {
            if (ar.failed()) {
                storeFailed(rc, ar.cause());
            } else if (ar.result().isEmpty()) {
                error(rc, 404, "device '" + id + "' is not known in fleet '" + settings.fleet() + "'");
            } else {
                json(rc, 200, toJson(ar.result().get()));
            }
        });
    }

    private void openApi(RoutingContext rc) {
        try (InputStream in = ApiVerticle.class.getResourceAsStream("/openapi.yaml")) {
            if (in == null) {
                error(rc, 404, "openapi.yaml is not packaged");
                return;
            }
            rc.response().putHeader("content-type", "application/yaml; charset=utf-8")
                    .end(Buffer.buffer(in.readAllBytes()));
        } catch (IOException e) {
            error(rc, 500, "cannot read openapi.yaml: " + e.getMessage());
        }
    }

    /** 200 when the database and the broker answer, else 503 naming what is down; within a second. */
    private void health(RoutingContext rc) {
        health.check().onSuccess(r -> json(rc, r.up() ? 200 : 503, r.json()));
    }

    /** The link of a birth's chain that runs the bundle (status ACTIVE), if any. */
    static Optional<JsonObject> activeLink(JsonArray chain) {
        for (int i = 0; i < chain.size(); i++) {
            if (chain.getValue(i) instanceof JsonObject l && "DELEGATE_STATUS_ACTIVE".equals(l.getString("status"))) {
                return Optional.of(l);
            }
        }
        return Optional.empty();
    }

    static JsonObject toJson(DeviceRecord d) {
        JsonObject o = new JsonObject()
                .put("id", d.id())
                .put("fleet", d.fleet())
                .put("status", d.status().name())
                .put("labels", new JsonArray(new ArrayList<>(d.labels())))
                .put("capabilities", new JsonArray(new ArrayList<>(d.capabilities())))
                .put("agentVersion", d.agentVersion())
                .put("bdSeq", d.bdSeq())
                .put("firstSeen", Instant.ofEpochMilli(d.firstSeenMs()).toString())
                .put("lastSeen", Instant.ofEpochMilli(d.lastSeenMs()).toString())
                .put("lastBirth", Instant.ofEpochMilli(d.lastBirthMs()).toString())
                .put("scheduleId", d.scheduleId());
        if (d.offlineReason() != null) {
            o.put("offlineReason", d.offlineReason());
        }
        if (d.heartbeatIntervalMs() != null) {
            o.put("heartbeatIntervalMs", d.heartbeatIntervalMs());
        }
        if (d.latencyTargetMs() != null) {
            o.put("latencyTargetMs", d.latencyTargetMs());
        }
        if (d.hardwareJson() != null) {
            o.put("hardware", new JsonObject(d.hardwareJson()));
        }
        if (d.delegatesJson() != null) {
            JsonArray chain = new JsonArray(d.delegatesJson());
            o.put("delegates", chain);
            activeLink(chain).ifPresent(l -> o.put("engine", l.getString("engine", "")).put("engineLink",
                    l.getString("name", "")));
        }
        if (d.bundleId() != null) {
            o.put("installed", new JsonObject().put("bundleId", d.bundleId()).put("version", d.bundleVersion())
                    .put("modelSha256", d.bundleModelSha256()).put("slot", d.bundleSlot()));
        }
        o.put("telemetry", new JsonObject()
                .put("nextSeq", d.telemetryNextSeq())
                .put("received", d.telemetryReceived())
                .put("dropped", d.telemetryDropped())
                .put("gap", d.telemetryGap()));
        return o;
    }

    private static void storeFailed(RoutingContext rc, Throwable e) {
        LOG.error("database call for {} failed: {}", rc.request().path(), e.getMessage());
        error(rc, 503, "device registry unavailable: " + e.getMessage());
    }
}
