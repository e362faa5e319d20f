package io.c2f.controller.model;

import io.c2f.controller.api.NotFoundException;
import io.c2f.controller.store.Database;
import io.c2f.models.tensor.Resolution;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Registered models ({@code models}, V3); their catalogs are {@code catalog.CatalogRepository}. */
public final class ModelRepository {
    private final Database db;

    public ModelRepository(Database db) {
        this.db = db;
    }

    /** Inserts or replaces a model (re-registering the same id updates it; its catalog stays). */
    public Future<Void> save(ModelRecord m) {
        JsonObject info = new JsonObject().put("resolutions", resolutionsJson(m)).put("macs", macsJson(m))
                .put("trainTimesteps", m.trainTimesteps());
        return db.inTransaction(c -> {
            int n;
            try (PreparedStatement ps = c.prepareStatement("UPDATE models SET source = ?, model_sha256 = ?, info = ?, "
                    + "registered_ms = ? WHERE id = ?")) {
                ps.setString(1, m.source());
                ps.setString(2, m.modelSha256());
                ps.setString(3, info.encode());
                ps.setLong(4, m.registeredMs());
                ps.setString(5, m.id());
                n = ps.executeUpdate();
            }
            if (n == 0) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO models (id, source, model_sha256, info, "
                        + "registered_ms) VALUES (?, ?, ?, ?, ?)")) {
                    ps.setString(1, m.id());
                    ps.setString(2, m.source());
                    ps.setString(3, m.modelSha256());
                    ps.setString(4, info.encode());
                    ps.setLong(5, m.registeredMs());
                    ps.executeUpdate();
                }
            }
            return null;
        });
    }

    public Future<Optional<ModelRecord>> find(String id) {
        return query("WHERE id = ?", id).map(l -> l.stream().findFirst());
    }

    /** The model, or a future failed with {@link NotFoundException} when none has this id. */
    public Future<ModelRecord> require(String id) {
        return find(id).compose(o -> o.map(Future::succeededFuture)
                .orElseGet(() -> Future.failedFuture(new NotFoundException("model '" + id + "' is not registered"))));
    }

    /** Models whose file has this sha256 (how a device's installed bundle is matched to a catalog). */
    public Future<List<ModelRecord>> findBySha256(String sha256) {
        return query("WHERE model_sha256 = ?", sha256);
    }

    public Future<List<ModelRecord>> list() {
        return query("", null);
    }

    private Future<List<ModelRecord>> query(String where, String arg) {
        return db.execute(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT id, source, model_sha256, info, registered_ms "
                    + "FROM models " + where + " ORDER BY id")) {
                if (arg != null) {
                    ps.setString(1, arg);
                }
                List<ModelRecord> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        JsonObject info = new JsonObject(rs.getString(4));
                        List<Resolution> res = new ArrayList<>();
                        info.getJsonArray("resolutions").forEach(r -> res.add(Resolution.parse((String) r)));
                        out.add(new ModelRecord(rs.getString(1), rs.getString(2), rs.getString(3), res,
                                macs(info.getJsonObject("macs")),
                                info.getInteger("trainTimesteps"), rs.getLong(5)));
                    }
                }
                return out;
            }
        });
    }

    private static Map<Resolution, Long> macs(JsonObject json) {
        Map<Resolution, Long> macs = new LinkedHashMap<>();
        json.forEach(e -> macs.put(Resolution.parse(e.getKey()), ((Number) e.getValue()).longValue()));
        return macs;
    }

    /** Per resolution, as the models table and the API write it: {"16x16": macs, ...}, smallest first. */
    public static JsonObject macsJson(ModelRecord m) {
        JsonObject o = new JsonObject();
        m.resolutions().forEach(r -> o.put(r.toString(), m.macsPerForward().get(r)));
        return o;
    }

    /** The resolutions as the models table and the API write them: ["16x16", ...]. */
    public static JsonArray resolutionsJson(ModelRecord m) {
        JsonArray a = new JsonArray();
        m.resolutions().forEach(r -> a.add(r.toString()));
        return a;
    }
}
