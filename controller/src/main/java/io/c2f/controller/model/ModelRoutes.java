package io.c2f.controller.model;

import static io.c2f.controller.api.Responses.body;
import static io.c2f.controller.api.Responses.error;
import static io.c2f.controller.api.Responses.json;
import static io.c2f.controller.api.Responses.unavailable;

import io.c2f.controller.api.ApiRoutes;
import io.c2f.controller.schedule.SearchJob;
import io.c2f.controller.schedule.SearchRequest;
import io.c2f.controller.schedule.SearchService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code GET|POST /api/v1/models}, {@code GET /api/v1/models/{id}}, {@code GET|POST
 * /api/v1/models/{id}/schedules}, {@code POST /api/v1/models/{id}/searches}, {@code GET
 * /api/v1/models/{id}/searches/{searchId}}.
 */
public final class ModelRoutes implements ApiRoutes {
    private final ModelRepository models;
    private final SearchService searches;
    private final Clock clock;
    private Vertx vertx;

    public ModelRoutes(ModelRepository models, SearchService searches, Clock clock) {
        this.models = models;
        this.searches = searches;
        this.clock = clock;
    }

    @Override
    public void mount(Vertx vertx, Router router) {
        this.vertx = vertx;
        router.get("/api/v1/models").handler(this::list);
        router.post("/api/v1/models").handler(this::register);
        router.get("/api/v1/models/:id").handler(this::get);
        router.get("/api/v1/models/:id/schedules").handler(this::catalog);
        router.post("/api/v1/models/:id/schedules").handler(this::addSchedules);
        router.post("/api/v1/models/:id/searches").handler(this::startSearch);
        router.get("/api/v1/models/:id/searches/:searchId").handler(this::getSearch);
    }

    static JsonObject toJson(ModelRecord m) {
        return new JsonObject().put("id", m.id()).put("source", m.source()).put("modelSha256", m.modelSha256())
                .put("resolutions", new JsonArray(m.resolutions()))
                .put("macsPerForward", new JsonObject(new java.util.LinkedHashMap<>(m.macsPerForward())))
                .put("trainTimesteps", m.trainTimesteps())
                .put("registered", java.time.Instant.ofEpochMilli(m.registeredMs()).toString());
    }

    static JsonObject toJson(CatalogEntry e) {
        return new JsonObject().put("scheduleId", e.scheduleId()).put("stepsLow", e.stepsLow())
                .put("stepsHigh", e.stepsHigh()).put("heldoutLoss", e.heldoutLoss())
                .put("macsPerImage", e.macsPerImage()).put("method", e.method());
    }

    static JsonObject toJson(SearchJob j) {
        return new JsonObject().put("id", j.id()).put("modelId", j.modelId()).put("request", j.request())
                .put("state", j.state()).put("progress", j.progress()).put("message", j.message())
                .put("results", new JsonArray(j.results()))
                .put("created", java.time.Instant.ofEpochMilli(j.createdMs()).toString())
                .put("updated", java.time.Instant.ofEpochMilli(j.updatedMs()).toString());
    }

    private void list(RoutingContext rc) {
        models.list().onSuccess(l -> {
            JsonArray a = new JsonArray();
            l.forEach(m -> a.add(toJson(m)));
            json(rc, 200, new JsonObject().put("models", a));
        }).onFailure(e -> unavailable(rc, e));
    }

    private void register(RoutingContext rc) {
        JsonObject b = body(rc);
        if (b == null) {
            return;
        }
        if (!(b.getValue("id") instanceof String id) || !(b.getValue("source") instanceof String source)) {
            error(rc, 400, "body must have string keys 'id' and 'source' (a .tflite path on the controller, or "
                    + "'synthetic[:two-scale|:low-rank]')");
            return;
        }
        // opening the model (TFLite interpreter) blocks: a worker does it
        vertx.executeBlocking(() -> ModelRegistry.inspect(id, source, clock.millis()), false)
                .compose(m -> models.save(m).map(m))
                .onSuccess(m -> json(rc, 201, toJson(m)))
                .onFailure(e -> {
                    if (e instanceof ModelException) {
                        error(rc, 422, e.getMessage());
                    } else {
                        unavailable(rc, e);
                    }
                });
    }

    private Future<ModelRecord> model(RoutingContext rc) {
        String id = rc.pathParam("id");
        return models.find(id).compose(o -> o.map(Future::succeededFuture).orElseGet(() -> {
            error(rc, 404, "model '" + id + "' is not registered");
            return Future.failedFuture(new NotFound());
        }));
    }

    /** Already answered with 404. */
    private static final class NotFound extends RuntimeException {
        NotFound() {
            super(null, null, false, false);
        }
    }

    private static void failed(RoutingContext rc, Throwable e) {
        if (!(e instanceof NotFound)) {
            unavailable(rc, e);
        }
    }

    private void get(RoutingContext rc) {
        model(rc).compose(m -> models.catalog(m.id()).map(c -> {
            JsonArray a = new JsonArray();
            c.forEach(e -> a.add(toJson(e)));
            return toJson(m).put("schedules", a);
        })).onSuccess(o -> json(rc, 200, o)).onFailure(e -> failed(rc, e));
    }

    private void catalog(RoutingContext rc) {
        model(rc).compose(m -> models.catalog(m.id())).onSuccess(c -> {
            JsonArray a = new JsonArray();
            c.forEach(e -> a.add(toJson(e)));
            json(rc, 200, new JsonObject().put("schedules", a));
        }).onFailure(e -> failed(rc, e));
    }

    /** Body: {"catalogDir": "path"} (every *.json there) or {"schedules": [schedule JSON, ...]}. */
    private void addSchedules(RoutingContext rc) {
        JsonObject b = body(rc);
        if (b == null) {
            return;
        }
        if (!(b.getValue("catalogDir") instanceof String) && !(b.getValue("schedules") instanceof JsonArray)) {
            error(rc, 400, "body must have 'catalogDir' (a directory of schedule JSON files on the controller) or "
                    + "'schedules' (an array of schedules in the catalog JSON format)");
            return;
        }
        model(rc).compose(m -> vertx.executeBlocking(() -> {
            if (b.getValue("catalogDir") instanceof String dir) {
                return ModelRegistry.readCatalog(m, Path.of(dir));
            }
            List<CatalogEntry> out = new ArrayList<>();
            JsonArray arr = b.getJsonArray("schedules");
            for (int i = 0; i < arr.size(); i++) {
                if (!(arr.getValue(i) instanceof JsonObject s)) {
                    throw new ModelException("schedules[" + i + "] is not an object");
                }
                out.add(ModelRegistry.parse(m, s.encode(), "schedules[" + i + "]"));
            }
            return out;
        }, false)).compose(entries -> models.saveSchedules(entries, clock.millis()).map(entries))
                .onSuccess(entries -> {
                    JsonArray ids = new JsonArray();
                    entries.forEach(e -> ids.add(e.scheduleId()));
                    json(rc, 200, new JsonObject().put("added", ids));
                })
                .onFailure(e -> {
                    if (e instanceof ModelException) {
                        error(rc, 422, e.getMessage());
                    } else {
                        failed(rc, e);
                    }
                });
    }

    private void startSearch(RoutingContext rc) {
        JsonObject b = body(rc);
        if (b == null) {
            return;
        }
        SearchRequest req;
        try {
            req = SearchRequest.fromJson(b);
        } catch (IllegalArgumentException e) {
            error(rc, 400, e.getMessage());
            return;
        }
        model(rc).compose(m -> searches.submit(m, req))
                .onSuccess(j -> {
                    rc.response().putHeader("location", "/api/v1/models/" + j.modelId() + "/searches/" + j.id());
                    json(rc, 202, toJson(j));
                })
                .onFailure(e -> {
                    if (e instanceof IllegalStateException) {
                        error(rc, 429, e.getMessage());
                    } else {
                        failed(rc, e);
                    }
                });
    }

    private void getSearch(RoutingContext rc) {
        String modelId = rc.pathParam("id");
        String sid = rc.pathParam("searchId");
        searches.find(sid).onSuccess((Optional<SearchJob> o) -> {
            if (o.isEmpty() || !o.get().modelId().equals(modelId)) {
                error(rc, 404, "search '" + sid + "' of model '" + modelId + "' does not exist");
            } else {
                json(rc, 200, toJson(o.get()));
            }
        }).onFailure(e -> unavailable(rc, e));
    }
}
