package io.c2f.controller.model;

import static io.c2f.controller.api.Responses.body;
import static io.c2f.controller.api.Responses.error;
import static io.c2f.controller.api.Responses.json;
import static io.c2f.controller.api.Responses.unavailable;

import io.c2f.controller.api.ApiRoutes;
import io.c2f.controller.files.FileNameException;
import io.c2f.controller.files.ModelsDirectory;
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

/**
 * {@code GET|POST /api/v1/models}, {@code GET /api/v1/models/{id}}, {@code GET|POST
 * /api/v1/models/{id}/schedules}, {@code GET|PUT /api/v1/models/{id}/card} (the model
 * card, Markdown; GET adds it rendered as safe HTML), {@code GET|PUT /api/v1/models/{id}/rank} (the
 * rank analysis: RankReport CSV and the switch to mark).
 *
 * <p>Models and catalog directories are named relative to the models directory ({@code models.dir},
 * {@link ModelsDirectory}); no route opens a path the caller gives. Registering a {@code .tflite}
 * model also stores the {@code MODEL_CARD.md} beside it, when there is one.
 */
public final class ModelRoutes implements ApiRoutes {
    /** Cards larger than this are refused (a card is a page of text, not a data file). */
    static final int MAX_CARD_CHARS = 256 * 1024;
    /** Largest schedule file of a catalog directory. */
    private static final long MAX_CATALOG_FILE = 1L << 20;

    private final ModelRepository models;
    private final ModelDocuments documents;
    private final ModelsDirectory files;
    private final Clock clock;
    private Vertx vertx;

    /** @param files the directory registrations and catalogs are named in */
    public ModelRoutes(ModelRepository models, ModelDocuments documents, ModelsDirectory files, Clock clock) {
        this.models = models;
        this.documents = documents;
        this.files = files;
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
        router.get("/api/v1/models/:id/card").handler(this::getCard);
        router.put("/api/v1/models/:id/card").handler(this::putCard);
        router.get("/api/v1/models/:id/rank").handler(this::getRank);
        router.put("/api/v1/models/:id/rank").handler(this::putRank);
    }

    private JsonObject toJson(ModelRecord m) {
        return new JsonObject().put("id", m.id()).put("source", files.nameOf(m.source()))
                .put("modelSha256", m.modelSha256())
                .put("resolutions", new JsonArray(m.resolutions()))
                .put("macsPerForward", new JsonObject(new java.util.LinkedHashMap<>(m.macsPerForward())))
                .put("trainTimesteps", m.trainTimesteps())
                .put("registered", java.time.Instant.ofEpochMilli(m.registeredMs()).toString());
    }

    static JsonObject toJson(CatalogEntry e) {
        io.c2f.proto.v1.Provenance p = e.schedule().getProvenance();
        JsonObject o = new JsonObject().put("scheduleId", e.scheduleId()).put("stepsLow", e.stepsLow())
                .put("stepsHigh", e.stepsHigh()).put("heldoutLoss", e.heldoutLoss())
                .put("macsPerImage", e.macsPerImage()).put("method", e.method())
                .put("calibrationLoss", p.getCalibrationLoss()).put("heldoutSeeds", p.getHeldoutSeeds())
                .put("referenceSteps", p.getReferenceSteps());
        if (e.heldoutLoss() > 0) {
            // images live in [-1, 1]: peak-to-peak 2, so PSNR = 10 log10(2^2 / MSE)
            o.put("heldoutPsnrDb", 10 * Math.log10(4 / e.heldoutLoss()));
        }
        if (e.schedule().hasHighResolution()) {
            o.put("highResolution", e.schedule().getHighResolution().getHeight() + "x"
                    + e.schedule().getHighResolution().getWidth());
        }
        if (e.stepsLow() > 0 && e.schedule().hasLowResolution()) {
            o.put("lowResolution", e.schedule().getLowResolution().getHeight() + "x"
                    + e.schedule().getLowResolution().getWidth());
        }
        return o;
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
        if (!(b.getValue("id") instanceof String id) || !(b.getValue("source") instanceof String name)) {
            error(rc, 400, "body must have string keys 'id' and 'source' (a .tflite file of the models directory, "
                    + "named relative to it, or 'synthetic[:two-scale|:low-rank]')");
            return;
        }
        // opening the model (TFLite interpreter) blocks: a worker does it
        // the card is read before anything is saved: a card that cannot be read refuses the registration
        vertx.executeBlocking(() -> {
            String source = source(name);
            return java.util.Map.entry(ModelRegistry.inspect(id, source, clock.millis()),
                    java.util.Optional.ofNullable(cardBeside(name)));
        }, false)
                .compose(mc -> models.save(mc.getKey()).compose(v -> mc.getValue().isEmpty()
                        ? Future.succeededFuture(mc.getKey())
                        : documents.saveCard(id, mc.getValue().get().getValue(), mc.getValue().get().getKey(),
                                clock.millis()).map(mc.getKey())))
                .onSuccess(m -> json(rc, 201, toJson(m)))
                .onFailure(e -> {
                    if (e instanceof FileNameException) {
                        error(rc, 400, e.getMessage());
                    } else if (e instanceof ModelException) {
                        error(rc, 422, withoutRoot(e.getMessage()));
                    } else {
                        unavailable(rc, e);
                    }
                });
    }

    /** A message with the models directory's own path taken out: names relative to it are what callers know. */
    private String withoutRoot(String message) {
        return message == null ? "" : message.replace(files.root() + java.io.File.separator, "");
    }

    /**
     * What ModelRegistry opens for a registration's {@code source}: a synthetic model as named, or
     * the real path of a {@code .tflite} in the models directory whose {@code .json} manifest beside
     * it is in the directory too (it is read with the model).
     */
    private String source(String name) {
        if (name.equals("synthetic") || name.startsWith("synthetic:")) {
            return name;
        }
        java.nio.file.Path model = files.file("source", name);
        if (!name.endsWith(".tflite")) {
            throw new ModelException("source '" + name + "' must be a .tflite file of the models directory (with its "
                    + ".json manifest beside it) or 'synthetic[:two-scale|:low-rank]'");
        }
        files.file("source (its manifest)", name.substring(0, name.length() - ".tflite".length()) + ".json");
        return model.toString();
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

    /**
     * Body: {"catalogDir": "name"} (every *.json of that directory of the models directory) or
     * {"schedules": [schedule JSON, ...]}.
     */
    private void addSchedules(RoutingContext rc) {
        JsonObject b = body(rc);
        if (b == null) {
            return;
        }
        if (!(b.getValue("catalogDir") instanceof String) && !(b.getValue("schedules") instanceof JsonArray)) {
            error(rc, 400, "body must have 'catalogDir' (a directory of schedule JSON files in the models directory) or "
                    + "'schedules' (an array of schedules in the catalog JSON format)");
            return;
        }
        model(rc).compose(m -> vertx.executeBlocking(() -> {
            if (b.getValue("catalogDir") instanceof String dir) {
                return catalog(m, dir);
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
                    if (e instanceof FileNameException) {
                        error(rc, 400, e.getMessage());
                    } else if (e instanceof ModelException) {
                        error(rc, 422, withoutRoot(e.getMessage()));
                    } else {
                        failed(rc, e);
                    }
                });
    }

    /** The catalog directory's schedules; every file must be a regular file of the models directory. */
    private List<CatalogEntry> catalog(ModelRecord m, String dir) {
        Path real = files.directory("catalogDir", dir);
        List<CatalogEntry> out = new ArrayList<>();
        List<String> names;
        try (java.util.stream.Stream<Path> list = java.nio.file.Files.list(real)) {
            names = list.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).sorted().toList();
        } catch (java.io.IOException e) {
            throw new ModelException("catalogDir '" + dir + "' cannot be listed (" + e.getClass().getSimpleName() + ")");
        }
        for (String n : names) {
            String field = "catalogDir '" + dir + "' file " + n;
            byte[] json = files.read("catalogDir", dir + "/" + n, MAX_CATALOG_FILE);
            try {
                out.add(ModelRegistry.entry(m, io.c2f.schedules.ScheduleJson.parse(
                        new String(json, java.nio.charset.StandardCharsets.UTF_8), field)));
            } catch (io.c2f.schedules.ScheduleFormatException e) {
                // the parser's message quotes the file: name the file and field only
                throw new ModelException(field + " is not a valid schedule in the catalog JSON format"
                        + (e.field().isEmpty() ? "" : " (field " + e.field() + ")"));
            }
        }
        return out;
    }

    /**
     * The MODEL_CARD.md beside a .tflite of the models directory as (its name there, text), or null
     * when there is none.
     */
    private java.util.Map.Entry<String, String> cardBeside(String name) {
        if (!name.endsWith(".tflite")) {
            return null;
        }
        int slash = name.lastIndexOf('/');
        String card = (slash < 0 ? "" : name.substring(0, slash + 1)) + "MODEL_CARD.md";
        Path real = files.root().resolve(card).normalize();
        if (!java.nio.file.Files.exists(real, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        byte[] text = files.read("source (its MODEL_CARD.md)", card, MAX_CARD_CHARS);
        return java.util.Map.entry(card, new String(text, java.nio.charset.StandardCharsets.UTF_8));
    }

    private void getCard(RoutingContext rc) {
        model(rc).compose(m -> documents.card(m.id()).map(o -> {
            if (o.isEmpty()) {
                error(rc, 404, "model '" + m.id() + "' has no model card yet (PUT /api/v1/models/" + m.id()
                        + "/card with {\"markdown\": ...}, or register a .tflite with a MODEL_CARD.md beside it)");
                return null;
            }
            ModelDocuments.Card c = o.get();
            return new JsonObject().put("modelId", m.id()).put("markdown", c.markdown())
                    .put("html", CardHtml.render(c.markdown())).put("source", c.source())
                    .put("updated", java.time.Instant.ofEpochMilli(c.updatedMs()).toString());
        })).onSuccess(o -> {
            if (o != null) {
                json(rc, 200, o);
            }
        }).onFailure(e -> failed(rc, e));
    }

    private void putCard(RoutingContext rc) {
        JsonObject b = body(rc);
        if (b == null) {
            return;
        }
        if (!(b.getValue("markdown") instanceof String md) || md.isBlank()) {
            error(rc, 400, "body must have a non-empty string 'markdown' (the model card)");
            return;
        }
        if (md.length() > MAX_CARD_CHARS) {
            error(rc, 413, "model card has " + md.length() + " characters; at most " + MAX_CARD_CHARS);
            return;
        }
        model(rc).compose(m -> documents.saveCard(m.id(), md, "api", clock.millis()).map(m))
                .onSuccess(m -> json(rc, 200, new JsonObject().put("modelId", m.id()).put("chars", md.length())))
                .onFailure(e -> failed(rc, e));
    }

    private void getRank(RoutingContext rc) {
        model(rc).compose(m -> documents.rank(m.id()).map(o -> {
            if (o.isEmpty()) {
                error(rc, 404, "model '" + m.id() + "' has no rank analysis yet (PUT /api/v1/models/" + m.id()
                        + "/rank with {\"csv\": the rank.csv of 'ScheduleTool rank'})");
                return null;
            }
            return o.get().toJson().put("modelId", m.id()).put("trainTimesteps", m.trainTimesteps());
        })).onSuccess(o -> {
            if (o != null) {
                json(rc, 200, o);
            }
        }).onFailure(e -> failed(rc, e));
    }

    /** Body: {"csv": "...", "switchTimestep": optional int (else the rank rule's recommendation)}. */
    private void putRank(RoutingContext rc) {
        JsonObject b = body(rc);
        if (b == null) {
            return;
        }
        if (!(b.getValue("csv") instanceof String csv)) {
            error(rc, 400, "body must have a string 'csv' (the rank.csv written by 'ScheduleTool rank') and may have "
                    + "an integer 'switchTimestep'");
            return;
        }
        Object sw = b.getValue("switchTimestep");
        if (sw != null && !(sw instanceof Integer || sw instanceof Long)) {
            error(rc, 400, "switchTimestep must be an integer time step, got " + sw);
            return;
        }
        RankData data;
        try {
            data = RankData.parse(csv, sw == null ? null : ((Number) sw).intValue());
        } catch (ModelException e) {
            error(rc, 422, e.getMessage());
            return;
        }
        model(rc).compose(m -> {
            for (var c : data.curves()) {
                for (var p : c.points()) {
                    if (p.timestep() >= m.trainTimesteps()) {
                        error(rc, 422, "rank report time step " + p.timestep() + " is not below model " + m.id()
                                + "'s T = " + m.trainTimesteps() + ": the report belongs to another model");
                        return Future.failedFuture(new NotFound());
                    }
                }
            }
            return documents.saveRank(m.id(), csv, data, clock.millis()).map(m);
        }).onSuccess(m -> json(rc, 200, data.toJson().put("modelId", m.id()).put("trainTimesteps", m.trainTimesteps())))
                .onFailure(e -> failed(rc, e));
    }
}
