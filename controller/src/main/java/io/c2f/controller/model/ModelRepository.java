package io.c2f.controller.model;

import com.google.protobuf.InvalidProtocolBufferException;
import io.c2f.controller.api.NotFoundException;
import io.c2f.controller.store.Database;
import io.c2f.controller.store.StoreException;
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

/** Models and their catalogs ({@code models}, {@code model_schedules}, V3). */
public final class ModelRepository {
    private final Database db;

    public ModelRepository(Database db) {
        this.db = db;
    }

    /** Inserts or replaces a model (re-registering the same id updates it; its catalog stays). */
    public Future<Void> save(ModelRecord m) {
        JsonObject info = new JsonObject().put("resolutions", new JsonArray(m.resolutions()))
                .put("macs", new JsonObject(new LinkedHashMap<>(m.macsPerForward())))
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
                        List<String> res = new ArrayList<>();
                        info.getJsonArray("resolutions").forEach(r -> res.add((String) r));
                        Map<String, Long> macs = new LinkedHashMap<>();
                        info.getJsonObject("macs").forEach(e -> macs.put(e.getKey(), ((Number) e.getValue()).longValue()));
                        out.add(new ModelRecord(rs.getString(1), rs.getString(2), rs.getString(3), res, macs,
                                info.getInteger("trainTimesteps"), rs.getLong(5)));
                    }
                }
                return out;
            }
        });
    }

    /** Adds or replaces catalog schedules of a model, in one transaction. */
    public Future<Void> saveSchedules(List<CatalogEntry> entries, long nowMs) {
        return db.inTransaction(c -> {
            for (CatalogEntry e : entries) {
                try (PreparedStatement del = c.prepareStatement("DELETE FROM model_schedules WHERE model_id = ? "
                        + "AND schedule_id = ?")) {
                    del.setString(1, e.modelId());
                    del.setString(2, e.scheduleId());
                    del.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO model_schedules (model_id, schedule_id, "
                        + "steps_low, steps_high, heldout_loss, macs_per_image, method, schedule, added_ms) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                    ps.setString(1, e.modelId());
                    ps.setString(2, e.scheduleId());
                    ps.setInt(3, e.stepsLow());
                    ps.setInt(4, e.stepsHigh());
                    ps.setDouble(5, e.heldoutLoss());
                    ps.setLong(6, e.macsPerImage());
                    ps.setString(7, e.method());
                    ps.setBytes(8, e.schedule().toByteArray());
                    ps.setLong(9, nowMs);
                    ps.executeUpdate();
                }
            }
            return null;
        });
    }

    /** A model's catalog, best first ({@link CatalogEntry#BEST_FIRST}: unmeasured losses last). */
    public Future<List<CatalogEntry>> catalog(String modelId) {
        return db.execute(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT model_id, schedule_id, steps_low, steps_high, "
                    + "heldout_loss, macs_per_image, method, schedule FROM model_schedules WHERE model_id = ?")) {
                ps.setString(1, modelId);
                List<CatalogEntry> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new CatalogEntry(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getInt(4),
                                rs.getDouble(5), rs.getLong(6), rs.getString(7), parse(rs.getBytes(8), rs.getString(2))));
                    }
                }
                out.sort(CatalogEntry.BEST_FIRST);
                return out;
            }
        });
    }

    private static io.c2f.proto.v1.Schedule parse(byte[] bytes, String id) {
        try {
            return io.c2f.proto.v1.Schedule.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new StoreException("stored schedule " + id + " is not a c2f.v1.Schedule: " + e.getMessage(), e);
        }
    }
}
