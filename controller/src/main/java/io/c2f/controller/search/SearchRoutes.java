package io.c2f.controller.search;

import static io.c2f.controller.api.Responses.body;
import static io.c2f.controller.api.Responses.fail;
import static io.c2f.controller.api.Responses.json;

import io.c2f.controller.api.ApiRoutes;
import io.c2f.controller.api.BadRequestException;
import io.c2f.controller.api.NotFoundException;
import io.c2f.controller.model.ModelRepository;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;

/**
 * {@code POST /api/v1/models/{id}/searches} (queue a TRD search or rank analysis: 202 with its
 * location, 429 when too many wait) and {@code GET /api/v1/models/{id}/searches/{searchId}}.
 */
public final class SearchRoutes implements ApiRoutes {
    private final ModelRepository models;
    private final SearchService searches;

    public SearchRoutes(ModelRepository models, SearchService searches) {
        this.models = models;
        this.searches = searches;
    }

    @Override
    public void mount(Vertx vertx, Router router) {
        router.post("/api/v1/models/:id/searches").handler(this::start);
        router.get("/api/v1/models/:id/searches/:searchId").handler(this::get);
    }

    static JsonObject toJson(SearchJob j) {
        return new JsonObject().put("id", j.id()).put("modelId", j.modelId()).put("request", j.request())
                .put("state", j.state()).put("progress", j.progress()).put("message", j.message())
                .put("results", new JsonArray(j.results()))
                .put("created", Instant.ofEpochMilli(j.createdMs()).toString())
                .put("updated", Instant.ofEpochMilli(j.updatedMs()).toString());
    }

    private void start(RoutingContext rc) {
        JsonObject b = body(rc);
        if (b == null) {
            return;
        }
        SearchRequest req;
        try {
            req = SearchRequest.fromJson(b);
        } catch (IllegalArgumentException e) {
            fail(rc, new BadRequestException(e.getMessage()));
            return;
        }
        models.require(rc.pathParam("id")).compose(m -> searches.submit(m, req))
                .onSuccess(j -> {
                    rc.response().putHeader("location", "/api/v1/models/" + j.modelId() + "/searches/" + j.id());
                    json(rc, 202, toJson(j));
                })
                .onFailure(e -> fail(rc, e));
    }

    private void get(RoutingContext rc) {
        String modelId = rc.pathParam("id");
        String sid = rc.pathParam("searchId");
        searches.find(sid).compose(o -> o.filter(j -> j.modelId().equals(modelId)).map(Future::succeededFuture)
                .orElseGet(() -> Future.failedFuture(new NotFoundException("search '" + sid + "' of model '" + modelId
                        + "' does not exist"))))
                .onSuccess(j -> json(rc, 200, toJson(j)))
                .onFailure(e -> fail(rc, e));
    }
}
