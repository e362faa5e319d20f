package io.c2f.controller.catalog;

import static io.c2f.controller.api.Responses.body;
import static io.c2f.controller.api.Responses.fail;
import static io.c2f.controller.api.Responses.json;

import io.c2f.controller.api.ApiRoutes;
import io.c2f.controller.api.BadRequestException;
import io.c2f.controller.files.ModelsDirectory;
import io.c2f.controller.model.ModelException;
import io.c2f.controller.model.ModelRecord;
import io.c2f.controller.model.ModelRepository;
import io.c2f.schedules.ScheduleFormatException;
import io.c2f.schedules.ScheduleJson;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.c2f.proto.v1.Provenance;
import io.c2f.proto.v1.SampleQuality;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A model's schedule catalog: {@code GET|POST /api/v1/models/{id}/schedules}. Catalog directories
 * are named relative to the models directory ({@code models.dir}, {@link ModelsDirectory}); no route
 * opens a path the caller gives.
 */
public final class CatalogRoutes implements ApiRoutes {
    /** Largest schedule file of a catalog directory. */
    private static final long MAX_CATALOG_FILE = 1L << 20;

    private final ModelRepository models;
    private final CatalogRepository catalogs;
    private final ModelsDirectory files;
    private final Clock clock;
    private Vertx vertx;

    public CatalogRoutes(ModelRepository models, CatalogRepository catalogs, ModelsDirectory files, Clock clock) {
        this.models = models;
        this.catalogs = catalogs;
        this.files = files;
        this.clock = clock;
    }

    @Override
    public void mount(Vertx vertx, Router router) {
        this.vertx = vertx;
        router.get("/api/v1/models/:id/schedules").handler(this::get);
        router.post("/api/v1/models/:id/schedules").handler(this::add);
    }

    /** A catalog as the API shows it, best first. */
    public static JsonArray toJson(List<CatalogEntry> catalog) {
        JsonArray a = new JsonArray();
        catalog.forEach(e -> a.add(toJson(e)));
        return a;
    }

    static JsonObject toJson(CatalogEntry e) {
        Provenance p = e.schedule().provenance();
        JsonObject o = new JsonObject().put("scheduleId", e.scheduleId()).put("stepsLow", e.stepsLow())
                .put("stepsHigh", e.stepsHigh()).put("heldoutLoss", e.heldoutLoss())
                .put("macsPerImage", e.macsPerImage()).put("method", e.method())
                .put("calibrationLoss", p.getCalibrationLoss()).put("heldoutSeeds", p.getHeldoutSeeds())
                .put("referenceSteps", p.getReferenceSteps());
        if (e.heldoutLoss() > 0) {
            // images live in [-1, 1]: peak-to-peak 2, so PSNR = 10 log10(2^2 / MSE)
            o.put("heldoutPsnrDb", 10 * Math.log10(4 / e.heldoutLoss()));
        }
        if (p.hasSampleQuality()) {
            // measured on samples against real images (ScheduleBenchmark --annotate-catalog); none is FID
            SampleQuality q = p.getSampleQuality();
            o.put("sampleQuality", new JsonObject().put("shapeDetailFrechet", q.getShapeDetailFrechet())
                    .put("shapeDetailFrechetFloor", q.getShapeDetailFrechetFloor())
                    .put("shapeDetailFrechetCeiling", q.getShapeDetailFrechetCeiling())
                    .put("laplacianRatio", q.getLaplacianRatio()).put("bandEnergyRatio", q.getBandEnergyRatio())
                    .put("samples", q.getSamples()).put("realImages", q.getRealImages()));
        }
        o.put("highResolution", e.schedule().plan().high().toString());
        if (e.stepsLow() > 0) {
            o.put("lowResolution", e.schedule().plan().low().toString());
        }
        return o;
    }

    private void get(RoutingContext rc) {
        models.require(rc.pathParam("id")).compose(m -> catalogs.catalog(m.id()))
                .onSuccess(c -> json(rc, 200, new JsonObject().put("schedules", toJson(c))))
                .onFailure(e -> fail(rc, e));
    }

    /**
     * Body: {"catalogDir": "name"} (every *.json of that directory of the models directory) or
     * {"schedules": [schedule JSON, ...]}.
     */
    private void add(RoutingContext rc) {
        JsonObject b = body(rc);
        if (b == null) {
            return;
        }
        if (!(b.getValue("catalogDir") instanceof String) && !(b.getValue("schedules") instanceof JsonArray)) {
            fail(rc, new BadRequestException("body must have 'catalogDir' (a directory of schedule JSON files in the "
                    + "models directory) or 'schedules' (an array of schedules in the catalog JSON format)"));
            return;
        }
        models.require(rc.pathParam("id")).compose(m -> vertx.executeBlocking(() -> {
            if (b.getValue("catalogDir") instanceof String dir) {
                return readDirectory(m, dir);
            }
            List<CatalogEntry> out = new ArrayList<>();
            JsonArray arr = b.getJsonArray("schedules");
            for (int i = 0; i < arr.size(); i++) {
                if (!(arr.getValue(i) instanceof JsonObject s)) {
                    throw new ModelException("schedules[" + i + "] is not an object");
                }
                out.add(ScheduleCatalog.parse(m, s.encode(), "schedules[" + i + "]"));
            }
            return out;
        }, false)).compose(entries -> catalogs.saveSchedules(entries, clock.millis()).map(entries))
                .onSuccess(entries -> {
                    JsonArray ids = new JsonArray();
                    entries.forEach(e -> ids.add(e.scheduleId()));
                    json(rc, 200, new JsonObject().put("added", ids));
                })
                .onFailure(e -> fail(rc, ModelException.forCaller(e, files)));
    }

    /** The catalog directory's schedules; every file must be a regular file of the models directory. */
    private List<CatalogEntry> readDirectory(ModelRecord m, String dir) {
        Path real = files.directory("catalogDir", dir);
        List<CatalogEntry> out = new ArrayList<>();
        List<String> names;
        try (Stream<Path> list = Files.list(real)) {
            names = list.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new ModelException("catalogDir '" + dir + "' cannot be listed (" + e.getClass().getSimpleName() + ")");
        }
        for (String n : names) {
            String field = "catalogDir '" + dir + "' file " + n;
            byte[] json = files.read("catalogDir", dir + "/" + n, MAX_CATALOG_FILE);
            try {
                out.add(ScheduleCatalog.entry(m, ScheduleJson.parse(new String(json, StandardCharsets.UTF_8), field)));
            } catch (ScheduleFormatException e) {
                // the parser's message quotes the file: name the file and field only
                throw new ModelException(field + " is not a valid schedule in the catalog JSON format"
                        + (e.field().isEmpty() ? "" : " (field " + e.field() + ")"));
            }
        }
        return out;
    }
}
