package io.c2f.controller.generate;

import io.c2f.controller.api.Responses;
import io.c2f.controller.catalog.CatalogRepository;
import io.c2f.controller.log.EventLog;
import static io.c2f.controller.api.Responses.body;
import static io.c2f.controller.api.Responses.error;
import static io.c2f.controller.api.Responses.json;

import io.c2f.controller.api.ApiRoutes;
import io.c2f.controller.metrics.ControllerMetrics;
import io.c2f.controller.catalog.CatalogEntry;
import io.c2f.controller.model.ModelRepository;
import io.c2f.controller.mqtt.DeviceCommands;
import io.c2f.controller.mqtt.MqttUnavailableException;
import io.c2f.controller.store.DeviceRecord;
import io.c2f.controller.store.DeviceRepository;
import io.c2f.controller.store.DeviceStatus;
import io.c2f.proto.topic.Topics;
import io.c2f.proto.v1.GenerateRequest;
import io.c2f.proto.v1.GenerateResult;
import io.c2f.proto.v1.GeneratedImage;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;
import java.security.SecureRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Images on request from one device:
 * <ul>
 * <li>{@code POST /api/v1/devices/{id}/generate} (admin): sends a GenerateRequest over MQTT, waits
 *     for the device's GenerateResult, stores the PNGs (content-addressed) and answers with their URLs
 * <li>{@code GET /api/v1/images/{sha256}.png}: a stored image
 * <li>{@code GET /api/v1/devices/{id}/images?limit=N}: the device's latest images, newest first
 * </ul>
 */
public final class GenerateRoutes implements ApiRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(GenerateRoutes.class);
    private static final SecureRandom IDS = new SecureRandom();

    private final String fleet;
    private final DeviceRepository devices;
    private final ModelRepository models;
    private final CatalogRepository catalogs;
    private final GeneratedImageRepository images;
    private final ImageStore store;
    private final ControllerMetrics metrics;
    private final Clock clock;
    private final PendingGenerations pending = new PendingGenerations();
    private DeviceCommands commands;
    private Vertx vertx;

    public GenerateRoutes(String fleet, DeviceRepository devices, ModelRepository models, CatalogRepository catalogs,
                          GeneratedImageRepository images, ImageStore store, ControllerMetrics metrics, Clock clock) {
        this.fleet = fleet;
        this.devices = devices;
        this.models = models;
        this.catalogs = catalogs;
        this.images = images;
        this.store = store;
        this.metrics = metrics;
        this.clock = clock;
    }

    @Override
    public void mount(Vertx vertx, Router router) {
        this.vertx = vertx;
        this.commands = new DeviceCommands(vertx);
        pending.bind(vertx).onFailure(e -> LOG.error("cannot follow generate results: {}", e.getMessage()));
        router.post("/api/v1/devices/:id/generate").handler(this::generate);
        router.get("/api/v1/devices/:id/images").handler(this::recent);
        router.get("/api/v1/images/:name").handler(this::image);
    }

    private void generate(RoutingContext rc) {
        String id = rc.pathParam("id");
        if (!Topics.isValidId(id)) {
            error(rc, 400, "device id '" + id + "' must be 1-64 characters of [A-Za-z0-9_.-]");
            return;
        }
        JsonObject b = body(rc);
        if (b == null) {
            return;
        }
        GenerateSpec spec;
        try {
            spec = GenerateSpec.parse(b);
        } catch (IllegalArgumentException e) {
            error(rc, 400, e.getMessage());
            return;
        }
        String requestId = "gen-" + HexFormat.of().formatHex(random(12));
        long started = clock.millis();
        devices.find(fleet, id)
                .compose(d -> {
                    DeviceRecord dev = d.orElseThrow(() -> new GenerateFailure(404, "device '" + id
                            + "' is not registered in fleet '" + fleet + "'"));
                    if (dev.status() == DeviceStatus.OFFLINE) {
                        throw new GenerateFailure(409, "device '" + id + "' is offline"
                                + (dev.offlineReason() == null ? "" : " (" + dev.offlineReason() + ")")
                                + ": it cannot generate until it is back");
                    }
                    return schedule(dev, spec);
                })
                .compose(scheduleId -> {
                    Future<GenerateResult> answer = pending.expect(requestId, id, spec.timeoutMs());
                    EventLog.info(LOG, "generate.requested", "device", id, "job", requestId, "seed", spec.seed(),
                            "count", spec.count(), "schedule", scheduleId.isEmpty() ? "(device default)" : scheduleId);
                    return commands.sendGenerate(id, GenerateRequest.newBuilder().setRequestId(requestId)
                                    .setSeed(spec.seed()).setScheduleId(scheduleId).setCount(spec.count())
                                    .setDeadlineMs(started + spec.timeoutMs()).build())
                            .recover(e -> {
                                pending.cancel(requestId);
                                return Future.failedFuture(new GenerateFailure(503, "cannot send the request to device '"
                                        + id + "': " + e.getMessage()));
                            })
                            .compose(v -> answer);
                })
                .compose(result -> store(id, requestId, result))
                .onSuccess(list -> {
                    JsonArray a = new JsonArray();
                    list.forEach(i -> a.add(i.toJson()));
                    EventLog.info(LOG, "generate.completed", "device", id, "job", requestId, "images", list.size(),
                            "ms", clock.millis() - started);
                    metrics.reportGenerateRequest("ok", (clock.millis() - started) / 1000.0);
                    json(rc, 200, new JsonObject().put("requestId", requestId).put("deviceId", id).put("images", a));
                })
                .onFailure(e -> {
                    int status = e instanceof GenerateFailure g ? g.status()
                            : e instanceof MqttUnavailableException ? 503 : 500;
                    EventLog.info(LOG, "generate.failed", "device", id, "job", requestId, "status", status,
                            "reason", e.getMessage());
                    metrics.reportGenerateRequest(status == 504 ? "timeout" : status == 502 ? "device_error"
                            : status >= 500 ? "unavailable" : "rejected", (clock.millis() - started) / 1000.0);
                    if (status == 500) {
                        LOG.error("generate request {} to {} failed", requestId, id, e);
                    }
                    error(rc, status, e.getMessage());
                });
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        IDS.nextBytes(b);
        return b;
    }

    /** The schedule id to send: the given one, the device default (""), or the catalog's best of that many steps. */
    private Future<String> schedule(DeviceRecord dev, GenerateSpec spec) {
        if (spec.steps() == null) {
            return Future.succeededFuture(spec.scheduleId() == null ? "" : spec.scheduleId());
        }
        if (dev.bundleModelSha256() == null || dev.bundleModelSha256().isEmpty()) {
            return Future.failedFuture(new GenerateFailure(409, "device '" + dev.id() + "' reports no installed model, "
                    + "so steps=" + spec.steps() + " cannot be resolved to a schedule; send scheduleId instead"));
        }
        return models.findBySha256(dev.bundleModelSha256()).compose(ms -> {
            if (ms.isEmpty()) {
                return Future.failedFuture(new GenerateFailure(409, "the model installed on device '" + dev.id()
                        + "' (sha256 " + dev.bundleModelSha256() + ") is not registered, so steps=" + spec.steps()
                        + " cannot be resolved to a schedule; send scheduleId instead"));
            }
            return catalogs.catalog(ms.get(0).id()).map(catalog -> {
                TreeSet<Integer> have = new TreeSet<>();
                for (CatalogEntry e : catalog) { // best (lowest held-out loss) first
                    if (e.steps() == spec.steps()) {
                        return e.scheduleId();
                    }
                    have.add(e.steps());
                }
                throw new GenerateFailure(400, "model " + ms.get(0).id() + " has no schedule of " + spec.steps()
                        + " steps; its catalog has " + (have.isEmpty() ? "none" : have + " steps"));
            });
        });
    }

    private Future<List<io.c2f.controller.generate.GeneratedImage>> store(String deviceId, String requestId,
                                                                          GenerateResult r) {
        if (r.hasError() && !r.getError().getMessage().isEmpty() || r.getImagesCount() == 0) {
            String why = r.hasError() ? r.getError().getCode().name().replace("ERROR_CODE_", "") + ": "
                    + r.getError().getMessage() : "it returned no image";
            return Future.failedFuture(new GenerateFailure(502, "device '" + deviceId + "' could not generate: " + why));
        }
        long now = clock.millis();
        return vertx.executeBlocking(() -> {
            List<io.c2f.controller.generate.GeneratedImage> out = new ArrayList<>();
            for (int i = 0; i < r.getImagesCount(); i++) {
                GeneratedImage g = r.getImages(i);
                String sha;
                try {
                    sha = store.put(g.getPng().toByteArray());
                } catch (IllegalArgumentException e) {
                    throw new GenerateFailure(502, "device '" + deviceId + "' returned image " + i + " that is not a PNG");
                }
                out.add(new io.c2f.controller.generate.GeneratedImage(requestId, i, deviceId, sha, g.getSeed(),
                        g.getRecord().getScheduleId(), g.getWidth(), g.getHeight(), g.getRecord().getTotalMillis(), now));
            }
            return out;
        }, false).compose(list -> images.save(list).map(list));
    }

    private void recent(RoutingContext rc) {
        String id = rc.pathParam("id");
        if (!Topics.isValidId(id)) {
            error(rc, 400, "device id '" + id + "' must be 1-64 characters of [A-Za-z0-9_.-]");
            return;
        }
        int limit;
        try {
            limit = rc.queryParams().contains("limit") ? Integer.parseInt(rc.queryParams().get("limit")) : 12;
            if (limit < 1 || limit > 100) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            error(rc, 400, "limit must be an integer in [1, 100], got '" + rc.queryParams().get("limit") + "'");
            return;
        }
        images.recent(id, limit).onSuccess(list -> {
            JsonArray a = new JsonArray();
            list.forEach(i -> a.add(i.toJson()));
            json(rc, 200, new JsonObject().put("deviceId", id).put("images", a));
        }).onFailure(e -> Responses.unavailable(rc, e));
    }

    private void image(RoutingContext rc) {
        String name = rc.pathParam("name");
        String sha = name.endsWith(".png") ? name.substring(0, name.length() - 4) : name;
        vertx.executeBlocking(() -> store.find(sha), false).onSuccess(p -> {
            if (p.isEmpty()) {
                error(rc, 404, "no image '" + name + "' (names are the sha256 of the PNG, 64 hex digits, + .png)");
            } else {
                // content-addressed: the bytes behind a name never change
                rc.response().putHeader("content-type", "image/png")
                        .putHeader("cache-control", "private, max-age=31536000, immutable")
                        .putHeader("x-content-type-options", "nosniff")
                        .sendFile(p.get().toString());
            }
        }).onFailure(e -> Responses.unavailable(rc, e));
    }
}
