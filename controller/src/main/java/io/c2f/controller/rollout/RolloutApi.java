package io.c2f.controller.rollout;

import static io.c2f.controller.api.Responses.error;
import static io.c2f.controller.api.Responses.json;

import io.c2f.controller.api.ApiException;
import io.c2f.controller.api.ApiRoutes;
import io.c2f.controller.api.Responses;

import io.c2f.controller.bundle.BundleRecord;
import io.c2f.controller.bundle.BundleRequest;
import io.c2f.controller.bundle.BundleService;
import io.c2f.controller.bundle.RequestException;
import io.c2f.controller.files.ModelsDirectory;
import io.c2f.proto.v1.BundleManifest;
import io.c2f.proto.v1.Schedule;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.FileUpload;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP routes of bundles, rollouts and the signing key, mounted on the API's router:
 * <ul>
 * <li>{@code GET /api/v1/keys/bundle-signing}: the public key (PEM) to provision agents with
 * <li>{@code POST /api/v1/bundles}: JSON ({@link BundleRequest#fromJson}; the model as
 *     {@code modelBase64} or {@code modelName} in the models directory), or multipart with a
 *     {@code model} file and a {@code request} field holding that JSON without a model; a model
 *     is at most {@code models.upload.max.bytes}
 * <li>{@code GET /api/v1/bundles}, {@code GET /api/v1/bundles/{id}}
 * <li>{@code POST /api/v1/rollouts} ({@link RolloutSpec}), {@code GET /api/v1/rollouts},
 *     {@code GET /api/v1/rollouts/{id}}, {@code POST /api/v1/rollouts/{id}/pause|resume|abort}
 * </ul>
 * Errors are JSON {@code {"error": "..."}}: 400 invalid request, 404 unknown resource, 409 conflict.
 */
public final class RolloutApi implements ApiRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(RolloutApi.class);
    private static final long MAX_JSON = 8L * 1024 * 1024;

    private final Vertx vertx;
    private final BundleService bundles;
    private final RolloutService rollouts;
    private final Path uploads;
    private final ModelsDirectory models;
    private final long maxModelBytes;

    /** @param maxModelBytes largest model a request may upload or name (models.upload.max.bytes) */
    public RolloutApi(Vertx vertx, BundleService bundles, RolloutService rollouts, Path uploads, ModelsDirectory models,
            long maxModelBytes) {
        this.vertx = vertx;
        this.bundles = bundles;
        this.rollouts = rollouts;
        this.uploads = uploads;
        this.models = models;
        this.maxModelBytes = maxModelBytes;
    }

    @Override
    public boolean ownsBody() {
        return true;
    }

    @Override
    public void mount(Vertx vertx, Router router) {
        router.get("/api/v1/keys/bundle-signing").handler(rc -> rc.response().setStatusCode(200)
                .putHeader("content-type", "application/x-pem-file")
                .putHeader("x-c2f-key-id", bundles.signingKey().keyId())
                .end(bundles.signingKey().publicPem()));
        // the body may carry the model base64-encoded (4/3 of its size) beside the rest of the request
        long bodyLimit = maxModelBytes / 3 * 4 + 8 + MAX_JSON;
        router.post("/api/v1/bundles").handler(BodyHandler.create(uploads.toString()).setBodyLimit(bodyLimit)
                .setDeleteUploadedFilesOnEnd(true)).handler(this::createBundle);
        router.get("/api/v1/bundles").handler(rc -> bundles.list().onComplete(ar -> {
            if (ar.failed()) {
                fail(rc, ar.cause());
                return;
            }
            JsonArray out = new JsonArray();
            ar.result().forEach(b -> out.add(bundleJson(b)));
            json(rc, 200, new JsonObject().put("bundles", out));
        }));
        router.get("/api/v1/bundles/:id").handler(rc -> bundles.find(rc.pathParam("id")).onComplete(ar -> {
            if (ar.failed()) {
                fail(rc, ar.cause());
            } else if (ar.result().isEmpty()) {
                error(rc, 404, "no bundle '" + rc.pathParam("id") + "'");
            } else {
                json(rc, 200, bundleJson(ar.result().get()));
            }
        }));
        router.post("/api/v1/rollouts").handler(BodyHandler.create(false).setBodyLimit(MAX_JSON))
                .handler(rc -> body(rc).compose(rollouts::create).onComplete(ar -> answer(rc, 201, ar.result(),
                        ar.cause())));
        router.get("/api/v1/rollouts").handler(rc -> rollouts.list().onComplete(ar -> answer(rc, 200,
                ar.succeeded() ? new JsonObject().put("rollouts", ar.result()) : null, ar.cause())));
        router.get("/api/v1/rollouts/:id").handler(rc -> rollouts.get(rc.pathParam("id")).onComplete(ar -> {
            if (ar.succeeded() && ar.result().isEmpty()) {
                error(rc, 404, "no rollout '" + rc.pathParam("id") + "'");
            } else {
                answer(rc, 200, ar.succeeded() ? ar.result().get() : null, ar.cause());
            }
        }));
        router.post("/api/v1/rollouts/:id/pause").handler(rc -> rollouts.pause(rc.pathParam("id"))
                .onComplete(ar -> answer(rc, 200, ar.result(), ar.cause())));
        router.post("/api/v1/rollouts/:id/resume").handler(rc -> rollouts.resume(rc.pathParam("id"))
                .onComplete(ar -> answer(rc, 200, ar.result(), ar.cause())));
        router.post("/api/v1/rollouts/:id/abort").handler(BodyHandler.create(false).setBodyLimit(MAX_JSON))
                .handler(rc -> {
                    String reason = null;
                    if (rc.body().length() > 0) {
                        try {
                            Object r = rc.body().asJsonObject().getValue("reason");
                            reason = r == null ? null : String.valueOf(r);
                        } catch (DecodeException | ClassCastException e) {
                            error(rc, 400, "body must be a JSON object such as {\"reason\": \"...\"}");
                            return;
                        }
                    }
                    rollouts.abort(rc.pathParam("id"), reason).onComplete(ar -> answer(rc, 200, ar.result(),
                            ar.cause()));
                });
    }

    private void createBundle(RoutingContext rc) {
        String type = rc.request().getHeader("content-type");
        Future<JsonObject> request;
        FileUpload model = null;
        if (type != null && type.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            model = rc.fileUploads().stream().filter(f -> f.name().equals("model")).findFirst().orElse(null);
            String fields = rc.request().getFormAttribute("request");
            if (model == null || fields == null) {
                error(rc, 400, "multipart bundle upload needs a file part 'model' and a field 'request' (JSON)");
                return;
            }
            if (model.size() > maxModelBytes) {
                error(rc, 400, "model has " + model.size() + " bytes; at most " + maxModelBytes
                        + " (models.upload.max.bytes)");
                return;
            }
            try {
                request = Future.succeededFuture(new JsonObject(fields));
            } catch (DecodeException e) {
                error(rc, 400, "field 'request' is not a JSON object");
                return;
            }
        } else {
            request = body(rc);
        }
        Path uploaded = model == null ? null : Path.of(model.uploadedFileName());
        request.compose(body -> vertx.executeBlocking(() -> BundleRequest.fromJson(body, models,
                        uploaded == null ? Optional.empty() : Optional.of(Files.readAllBytes(uploaded)),
                        maxModelBytes), false))
                .compose(bundles::create)
                .onComplete(ar -> answer(rc, 201, ar.succeeded() ? bundleJson(ar.result()) : null, ar.cause()));
    }

    static JsonObject bundleJson(BundleRecord b) {
        BundleManifest m = b.manifest();
        JsonArray schedules = new JsonArray();
        for (Schedule s : m.getSchedulesList()) {
            schedules.add(s.getScheduleId());
        }
        JsonObject o = new JsonObject().put("id", b.id()).put("name", b.name()).put("version", b.version())
                .put("minAgentVersion", m.getMinAgentVersion()).put("modelSha256", b.modelSha256())
                .put("payloadSha256", b.payloadSha256()).put("payloadSize", b.payloadSize())
                .put("chunkSize", b.chunkSize()).put("chunkCount", b.chunkCount()).put("keyId", b.keyId())
                .put("schedules", schedules).put("defaultScheduleId", m.getDefaultScheduleId())
                .put("createdAt", Instant.ofEpochMilli(b.createdMs()).toString());
        if (m.hasProbe()) {
            o.put("probe", new JsonObject().put("seed", m.getProbe().getSeed())
                    .put("scheduleId", m.getProbe().getScheduleId()).put("minPsnrDb", m.getProbe().getMinPsnrDb())
                    .put("hasReference", !m.getProbe().getReferencePng().isEmpty()));
        }
        return o;
    }

    private static Future<JsonObject> body(RoutingContext rc) {
        try {
            JsonObject o = rc.body().asJsonObject();
            return o == null ? Future.failedFuture(RequestException.invalid("body must be a JSON object"))
                    : Future.succeededFuture(o);
        } catch (DecodeException | ClassCastException e) {
            // the decoder's message quotes the body
            return Future.failedFuture(RequestException.invalid("body is not a JSON object"));
        }
    }

    private static void answer(RoutingContext rc, int status, JsonObject body, Throwable failure) {
        if (failure != null) {
            fail(rc, failure);
        } else {
            json(rc, status, body);
        }
    }

    private static void fail(RoutingContext rc, Throwable e) {
        if (e instanceof ApiException) {
            Responses.fail(rc, e);
        } else {
            // the cause stays in the log: an I/O error's message names server paths (the uploads folder)
            String ref = Long.toHexString(ThreadLocalRandom.current().nextLong());
            LOG.error("{} {} failed (ref {})", rc.request().method(), rc.request().path(), ref, e);
            error(rc, 500, "internal error (ref " + ref + " in the controller's log)");
        }
    }
}
