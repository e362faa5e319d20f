package io.c2f.controller.retune;

import static io.c2f.controller.api.Responses.body;
import static io.c2f.controller.api.Responses.error;
import static io.c2f.controller.api.Responses.json;
import static io.c2f.controller.api.Responses.unavailable;

import io.c2f.controller.api.ApiRoutes;
import io.c2f.controller.api.BadRequestException;
import io.c2f.controller.api.QueryParams;
import io.c2f.controller.api.Responses;
import io.c2f.controller.model.ModelRepository;
import io.c2f.controller.mqtt.EventAddresses;
import io.c2f.controller.telemetry.LatencyRepository;
import io.c2f.proto.topic.Topics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.Optional;

/**
 * {@code GET /api/v1/devices/{id}/latency[?minutes=60]}, {@code PUT|DELETE /api/v1/devices/{id}/target},
 * {@code GET /api/v1/devices/{id}/schedule-history[?limit=50]}.
 */
public final class TuningRoutes implements ApiRoutes {
    private final String fleet;
    private final LatencyRepository latency;
    private final RetuneRepository retune;
    private final ModelRepository models;
    private final Clock clock;
    private Vertx vertx;

    public TuningRoutes(String fleet, LatencyRepository latency, RetuneRepository retune, ModelRepository models,
                        Clock clock) {
        this.fleet = fleet;
        this.latency = latency;
        this.retune = retune;
        this.models = models;
        this.clock = clock;
    }

    @Override
    public void mount(Vertx vertx, Router router) {
        this.vertx = vertx;
        router.get("/api/v1/devices/:id/latency").handler(this::latency);
        router.put("/api/v1/devices/:id/target").handler(this::putTarget);
        router.delete("/api/v1/devices/:id/target").handler(this::deleteTarget);
        router.get("/api/v1/devices/:id/schedule-history").handler(this::history);
    }

    private static String deviceId(RoutingContext rc) {
        String id = rc.pathParam("id");
        if (!Topics.isValidId(id)) {
            error(rc, 400, "device id '" + id + "' must be 1-64 characters of [A-Za-z0-9_.-]");
            return null;
        }
        return id;
    }

    /** The parameter as QueryParams reads it, or a 400 sent and null returned. */
    private static Integer intParam(RoutingContext rc, String name, int dflt, int min, int max) {
        try {
            return new QueryParams(rc).integer(name, dflt, min, max);
        } catch (BadRequestException e) {
            Responses.fail(rc, e);
            return null;
        }
    }

    private void latency(RoutingContext rc) {
        String id = deviceId(rc);
        Integer minutes = id == null ? null : intParam(rc, "minutes", 60, 1, 7 * 24 * 60);
        if (minutes == null) {
            return;
        }
        Future<JsonObject> live = vertx.eventBus().<JsonObject>request(RetuneVerticle.LATENCY, id,
                new DeliveryOptions().setSendTimeout(5000)).map(m -> m.body());
        Future<JsonArray> hist = latency.history(id, clock.millis() - minutes * 60_000L, minutes).map(list -> {
            JsonArray a = new JsonArray();
            list.forEach(b -> a.add(RetuneVerticle.bucketJson(b)));
            return a;
        });
        Future.all(live, hist).onComplete(ar -> {
            if (ar.failed()) {
                unavailable(rc, ar.cause());
                return;
            }
            JsonObject o = live.result() == null ? new JsonObject().put("window", new JsonObject().put("samples", 0))
                    : live.result();
            JsonArray history = hist.result();
            if (o.containsKey("currentMinute")) {
                // the minute in progress is only in memory until it closes
                JsonObject cur = (JsonObject) o.remove("currentMinute");
                boolean stored = history.stream().anyMatch(h -> ((JsonObject) h).getString("minute")
                        .equals(cur.getString("minute")));
                if (!stored) {
                    history.add(cur.put("partial", true));
                }
            }
            json(rc, 200, o.put("deviceId", id).put("history", history));
        });
    }

    private void putTarget(RoutingContext rc) {
        String id = deviceId(rc);
        JsonObject b = id == null ? null : body(rc);
        if (b == null) {
            return;
        }
        for (String k : b.fieldNames()) {
            if (!k.equals("p95Millis") && !k.equals("modelId")) {
                error(rc, 400, "unknown key '" + k + "'; known: p95Millis, modelId");
                return;
            }
        }
        if (!(b.getValue("p95Millis") instanceof Number n) || !(n.doubleValue() > 0) || n.doubleValue() > 3_600_000) {
            error(rc, 400, "p95Millis must be a number of milliseconds in (0, 3600000], got " + b.getValue("p95Millis"));
            return;
        }
        Object mv = b.getValue("modelId");
        if (mv != null && !(mv instanceof String)) {
            error(rc, 400, "modelId must be a string");
            return;
        }
        String modelId = (String) mv;
        Future<Boolean> modelOk = modelId == null ? Future.succeededFuture(true)
                : models.find(modelId).map(Optional::isPresent);
        modelOk.compose(ok -> {
            if (!ok) {
                error(rc, 404, "model '" + modelId + "' is not registered");
                return Future.succeededFuture();
            }
            return retune.setTarget(fleet, id, n.doubleValue(), modelId, clock.millis()).map(found -> {
                if (!found) {
                    error(rc, 404, "device '" + id + "' is not known in fleet '" + fleet + "'");
                } else {
                    // evaluate now rather than at the next period; the answer does not wait for it
                    vertx.eventBus().request(RetuneVerticle.EVALUATE, id);
                    vertx.eventBus().publish(EventAddresses.DEVICE_CHANGED, id);
                    json(rc, 200, new JsonObject().put("deviceId", id).put("p95Millis", n.doubleValue())
                            .put("modelId", modelId));
                }
                return null;
            });
        }).onFailure(e -> unavailable(rc, e));
    }

    private void deleteTarget(RoutingContext rc) {
        String id = deviceId(rc);
        if (id == null) {
            return;
        }
        retune.setTarget(fleet, id, null, null, clock.millis()).onComplete(ar -> {
            if (ar.failed()) {
                unavailable(rc, ar.cause());
            } else if (!ar.result()) {
                error(rc, 404, "device '" + id + "' is not known in fleet '" + fleet + "'");
            } else {
                vertx.eventBus().publish(EventAddresses.DEVICE_CHANGED, id);
                rc.response().setStatusCode(204).end();
            }
        });
    }

    private void history(RoutingContext rc) {
        String id = deviceId(rc);
        Integer limit = id == null ? null : intParam(rc, "limit", 50, 1, 1000);
        if (limit == null) {
            return;
        }
        retune.history(id, limit).onComplete(ar -> {
            if (ar.failed()) {
                unavailable(rc, ar.cause());
            } else {
                json(rc, 200, new JsonObject().put("deviceId", id).put("decisions", RetuneVerticle.toJson(ar.result())));
            }
        });
    }
}
