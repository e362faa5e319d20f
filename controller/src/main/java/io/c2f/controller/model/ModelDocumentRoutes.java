package io.c2f.controller.model;

import static io.c2f.controller.api.Responses.body;
import static io.c2f.controller.api.Responses.error;
import static io.c2f.controller.api.Responses.fail;
import static io.c2f.controller.api.Responses.json;

import io.c2f.controller.api.ApiRoutes;
import io.c2f.controller.api.BadRequestException;
import io.c2f.controller.api.NotFoundException;
import io.c2f.controller.api.UnprocessableException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Instant;

/**
 * The two documents of a model ({@link ModelDocuments}): {@code GET|PUT /api/v1/models/{id}/card}
 * (the model card, Markdown; GET adds it rendered as safe HTML) and {@code GET|PUT
 * /api/v1/models/{id}/rank} (the RankReport CSV of {@code ScheduleTool rank} and the switch to mark).
 */
public final class ModelDocumentRoutes implements ApiRoutes {
    /** Cards larger than this are refused (a card is a page of text, not a data file). */
    static final int MAX_CARD_CHARS = 256 * 1024;

    private final ModelRepository models;
    private final ModelDocuments documents;
    private final Clock clock;

    public ModelDocumentRoutes(ModelRepository models, ModelDocuments documents, Clock clock) {
        this.models = models;
        this.documents = documents;
        this.clock = clock;
    }

    @Override
    public void mount(Vertx vertx, Router router) {
        router.get("/api/v1/models/:id/card").handler(this::getCard);
        router.put("/api/v1/models/:id/card").handler(this::putCard);
        router.get("/api/v1/models/:id/rank").handler(this::getRank);
        router.put("/api/v1/models/:id/rank").handler(this::putRank);
    }

    private void getCard(RoutingContext rc) {
        models.require(rc.pathParam("id")).compose(m -> documents.card(m.id()).compose(o -> o.isEmpty()
                ? Future.<JsonObject>failedFuture(new NotFoundException("model '" + m.id() + "' has no model card yet "
                        + "(PUT /api/v1/models/" + m.id() + "/card with {\"markdown\": ...}, or register a .tflite with a "
                        + "MODEL_CARD.md beside it)"))
                : Future.succeededFuture(new JsonObject().put("modelId", m.id()).put("markdown", o.get().markdown())
                        .put("html", CardHtml.render(o.get().markdown())).put("source", o.get().source())
                        .put("updated", Instant.ofEpochMilli(o.get().updatedMs()).toString()))))
                .onSuccess(o -> json(rc, 200, o))
                .onFailure(e -> fail(rc, e));
    }

    private void putCard(RoutingContext rc) {
        JsonObject b = body(rc);
        if (b == null) {
            return;
        }
        if (!(b.getValue("markdown") instanceof String md) || md.isBlank()) {
            fail(rc, new BadRequestException("body must have a non-empty string 'markdown' (the model card)"));
            return;
        }
        if (md.length() > MAX_CARD_CHARS) {
            error(rc, 413, "model card has " + md.length() + " characters; at most " + MAX_CARD_CHARS);
            return;
        }
        models.require(rc.pathParam("id")).compose(m -> documents.saveCard(m.id(), md, "api", clock.millis()).map(m))
                .onSuccess(m -> json(rc, 200, new JsonObject().put("modelId", m.id()).put("chars", md.length())))
                .onFailure(e -> fail(rc, e));
    }

    private void getRank(RoutingContext rc) {
        models.require(rc.pathParam("id")).compose(m -> documents.rank(m.id()).compose(o -> o.isEmpty()
                ? Future.<JsonObject>failedFuture(new NotFoundException("model '" + m.id() + "' has no rank analysis "
                        + "yet (PUT /api/v1/models/" + m.id() + "/rank with {\"csv\": the rank.csv of 'ScheduleTool rank'})"))
                : Future.succeededFuture(o.get().toJson().put("modelId", m.id()).put("trainTimesteps", m.trainTimesteps()))))
                .onSuccess(o -> json(rc, 200, o))
                .onFailure(e -> fail(rc, e));
    }

    /** Body: {"csv": "...", "switchTimestep": optional int (else the rank rule's recommendation)}. */
    private void putRank(RoutingContext rc) {
        JsonObject b = body(rc);
        if (b == null) {
            return;
        }
        if (!(b.getValue("csv") instanceof String csv)) {
            fail(rc, new BadRequestException("body must have a string 'csv' (the rank.csv written by 'ScheduleTool "
                    + "rank') and may have an integer 'switchTimestep'"));
            return;
        }
        Object sw = b.getValue("switchTimestep");
        if (sw != null && !(sw instanceof Integer || sw instanceof Long)) {
            fail(rc, new BadRequestException("switchTimestep must be an integer time step, got " + sw));
            return;
        }
        RankData data;
        try {
            data = RankData.parse(csv, sw == null ? null : ((Number) sw).intValue());
        } catch (ModelException e) {
            fail(rc, new UnprocessableException(e.getMessage()));
            return;
        }
        models.require(rc.pathParam("id")).compose(m -> {
            for (var c : data.curves()) {
                for (var p : c.points()) {
                    if (p.timestep() >= m.trainTimesteps()) {
                        return Future.<ModelRecord>failedFuture(new UnprocessableException("rank report time step "
                                + p.timestep() + " is not below model " + m.id() + "'s T = " + m.trainTimesteps()
                                + ": the report belongs to another model"));
                    }
                }
            }
            return documents.saveRank(m.id(), csv, data, clock.millis()).map(m);
        }).onSuccess(m -> json(rc, 200, data.toJson().put("modelId", m.id()).put("trainTimesteps", m.trainTimesteps())))
                .onFailure(e -> fail(rc, e));
    }
}
