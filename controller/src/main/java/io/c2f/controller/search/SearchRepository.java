package io.c2f.controller.search;

import io.c2f.controller.store.Database;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Search jobs ({@code schedule_searches}, V3). */
public final class SearchRepository {
    private final Database db;

    public SearchRepository(Database db) {
        this.db = db;
    }

    /** A search some earlier run of this instance left QUEUED or RUNNING. */
    public record Interrupted(String id, String modelId, JsonObject request) {
    }

    /** Stores a new job, owned by the controller instance that will run it. */
    public Future<Void> insert(SearchJob j, String ownerInstance) {
        return db.execute(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO schedule_searches (id, model_id, request, state, "
                    + "progress, message, results, created_ms, updated_ms, owner_instance) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, j.id());
                ps.setString(2, j.modelId());
                ps.setString(3, j.request().encode());
                ps.setString(4, j.state());
                ps.setDouble(5, j.progress());
                ps.setString(6, j.message());
                ps.setString(7, new JsonArray(j.results()).encode());
                ps.setLong(8, j.createdMs());
                ps.setLong(9, j.updatedMs());
                ps.setString(10, ownerInstance);
                ps.executeUpdate();
            }
            return null;
        });
    }

    public Future<Void> update(String id, String state, double progress, String message, List<String> results,
                               long nowMs) {
        return db.execute(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE schedule_searches SET state = ?, progress = ?, "
                    + "message = ?, results = ?, updated_ms = ? WHERE id = ?")) {
                ps.setString(1, state);
                ps.setDouble(2, progress);
                ps.setString(3, message);
                ps.setString(4, new JsonArray(results).encode());
                ps.setLong(5, nowMs);
                ps.setString(6, id);
                ps.executeUpdate();
            }
            return null;
        });
    }

    public Future<Optional<SearchJob>> find(String id) {
        return db.execute(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT id, model_id, request, state, progress, message, "
                    + "results, created_ms, updated_ms FROM schedule_searches WHERE id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    List<String> results = new ArrayList<>();
                    new JsonArray(rs.getString(7)).forEach(r -> results.add((String) r));
                    return Optional.of(new SearchJob(rs.getString(1), rs.getString(2), new JsonObject(rs.getString(3)),
                            rs.getString(4), rs.getDouble(5), rs.getString(6), results, rs.getLong(8), rs.getLong(9)));
                }
            }
        });
    }

    /** Jobs this instance (or a controller before V4) left QUEUED or RUNNING, oldest first. */
    public Future<List<Interrupted>> interrupted(String ownerInstance) {
        return db.execute(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT id, model_id, request FROM schedule_searches "
                    + "WHERE state IN ('QUEUED', 'RUNNING') AND (owner_instance = ? OR owner_instance IS NULL) "
                    + "ORDER BY created_ms, id")) {
                ps.setString(1, ownerInstance);
                List<Interrupted> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Interrupted(rs.getString(1), rs.getString(2), new JsonObject(rs.getString(3))));
                    }
                }
                return out;
            }
        });
    }

    /** Takes over an interrupted job for this instance: QUEUED again, from the start. */
    public Future<Void> requeue(String id, String ownerInstance, String message, long nowMs) {
        return db.execute(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE schedule_searches SET state = 'QUEUED', "
                    + "progress = 0, message = ?, results = '[]', updated_ms = ?, owner_instance = ? WHERE id = ?")) {
                ps.setString(1, message);
                ps.setLong(2, nowMs);
                ps.setString(3, ownerInstance);
                ps.setString(4, id);
                ps.executeUpdate();
            }
            return null;
        });
    }
}
