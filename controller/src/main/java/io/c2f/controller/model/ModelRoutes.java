package io.c2f.controller.model;

import static io.c2f.controller.api.Responses.body;
import static io.c2f.controller.api.Responses.fail;
import static io.c2f.controller.api.Responses.json;

import io.c2f.controller.api.ApiRoutes;
import io.c2f.controller.api.BadRequestException;
import io.c2f.controller.files.ModelsDirectory;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The models resource: {@code GET|POST /api/v1/models}, {@code GET /api/v1/models/{id}} (with its
 * catalog). Registering a {@code .tflite} model also stores the {@code MODEL_CARD.md} beside it,
 * when there is one.
 *
 * <p>Models are named relative to the models directory ({@code models.dir}, {@link
 * ModelsDirectory}); no route opens a path the caller gives.
 */
public final class ModelRoutes implements ApiRoutes {
    private final ModelRepository models;
    private final ModelDocuments documents;
    private final Function<String, Future<JsonArray>> catalogOf;
    private final ModelsDirectory files;
    private final Clock clock;
    private Vertx vertx;

    /**
     * @param catalogOf a model's catalog as the API shows it (the catalog package answers it)
     * @param files the directory registrations are named in
     */
    public ModelRoutes(ModelRepository models, ModelDocuments documents, Function<String, Future<JsonArray>> catalogOf,
            ModelsDirectory files, Clock clock) {
        this.models = models;
        this.documents = documents;
        this.catalogOf = catalogOf;
        this.files = files;
        this.clock = clock;
    }

    @Override
    public void mount(Vertx vertx, Router router) {
        this.vertx = vertx;
        router.get("/api/v1/models").handler(this::list);
        router.post("/api/v1/models").handler(this::register);
        router.get("/api/v1/models/:id").handler(this::get);
    }

    private JsonObject toJson(ModelRecord m) {
        return new JsonObject().put("id", m.id()).put("source", files.nameOf(m.source()))
                .put("modelSha256", m.modelSha256())
                .put("resolutions", ModelRepository.resolutionsJson(m))
                .put("macsPerForward", ModelRepository.macsJson(m))
                .put("trainTimesteps", m.trainTimesteps())
                .put("registered", Instant.ofEpochMilli(m.registeredMs()).toString());
    }

    private void list(RoutingContext rc) {
        models.list().onSuccess(l -> {
            JsonArray a = new JsonArray();
            l.forEach(m -> a.add(toJson(m)));
            json(rc, 200, new JsonObject().put("models", a));
        }).onFailure(e -> fail(rc, e));
    }

    private void register(RoutingContext rc) {
        JsonObject b = body(rc);
        if (b == null) {
            return;
        }
        if (!(b.getValue("id") instanceof String id) || !(b.getValue("source") instanceof String name)) {
            fail(rc, new BadRequestException("body must have string keys 'id' and 'source' (a .tflite file of the "
                    + "models directory, named relative to it, or 'synthetic[:two-scale|:low-rank]')"));
            return;
        }
        // opening the model (TFLite interpreter) blocks: a worker does it
        // the card is read before anything is saved: a card that cannot be read refuses the registration
        vertx.executeBlocking(() -> {
            String source = source(name);
            return Map.entry(ModelRegistry.inspect(id, source, clock.millis()), Optional.ofNullable(cardBeside(name)));
        }, false)
                .compose(mc -> models.save(mc.getKey()).compose(v -> mc.getValue().isEmpty()
                        ? Future.succeededFuture(mc.getKey())
                        : documents.saveCard(id, mc.getValue().get().getValue(), mc.getValue().get().getKey(),
                                clock.millis()).map(mc.getKey())))
                .onSuccess(m -> json(rc, 201, toJson(m)))
                .onFailure(e -> fail(rc, ModelException.forCaller(e, files)));
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
        Path model = files.file("source", name);
        if (!name.endsWith(".tflite")) {
            throw new ModelException("source '" + name + "' must be a .tflite file of the models directory (with its "
                    + ".json manifest beside it) or 'synthetic[:two-scale|:low-rank]'");
        }
        files.file("source (its manifest)", name.substring(0, name.length() - ".tflite".length()) + ".json");
        return model.toString();
    }

    /**
     * The MODEL_CARD.md beside a .tflite of the models directory as (its name there, text), or null
     * when there is none.
     */
    private Map.Entry<String, String> cardBeside(String name) {
        if (!name.endsWith(".tflite")) {
            return null;
        }
        int slash = name.lastIndexOf('/');
        String card = (slash < 0 ? "" : name.substring(0, slash + 1)) + "MODEL_CARD.md";
        Path real = files.root().resolve(card).normalize();
        if (!Files.exists(real, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        byte[] text = files.read("source (its MODEL_CARD.md)", card, ModelDocumentRoutes.MAX_CARD_CHARS);
        return Map.entry(card, new String(text, StandardCharsets.UTF_8));
    }

    private void get(RoutingContext rc) {
        models.require(rc.pathParam("id"))
                .compose(m -> catalogOf.apply(m.id()).map(schedules -> toJson(m).put("schedules", schedules)))
                .onSuccess(o -> json(rc, 200, o))
                .onFailure(e -> fail(rc, e));
    }
}
