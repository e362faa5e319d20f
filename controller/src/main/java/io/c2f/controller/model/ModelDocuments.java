package io.c2f.controller.model;

import io.c2f.controller.store.Database;
import io.vertx.core.Future;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Optional;

/** A model's card and rank analysis ({@code model_documents}, V6). */
public final class ModelDocuments {
    /** The card as stored: Markdown and where it came from. */
    public record Card(String markdown, String source, long updatedMs) {
    }

    private final Database db;

    public ModelDocuments(Database db) {
        this.db = db;
    }

    public Future<Void> saveCard(String modelId, String markdown, String source, long nowMs) {
        return upsert(modelId, nowMs, "card_markdown = ?, card_source = ?", ps -> {
            ps.setString(1, markdown);
            ps.setString(2, source);
        }, 2);
    }

    /** Stores the report's CSV and the switch to mark (GIVEN ones are kept as given). */
    public Future<Void> saveRank(String modelId, String csv, RankData data, long nowMs) {
        return upsert(modelId, nowMs, "rank_csv = ?, rank_switch_timestep = ?, rank_switch_source = ?", ps -> {
            ps.setString(1, csv);
            if (data.switchTimestep() == null) {
                ps.setNull(2, Types.INTEGER);
            } else {
                ps.setInt(2, data.switchTimestep());
            }
            ps.setString(3, data.switchSource());
        }, 3);
    }

    public Future<Optional<Card>> card(String modelId) {
        return db.execute(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT card_markdown, card_source, updated_ms FROM "
                    + "model_documents WHERE model_id = ? AND card_markdown IS NOT NULL")) {
                ps.setString(1, modelId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(new Card(rs.getString(1), rs.getString(2), rs.getLong(3)))
                            : Optional.empty();
                }
            }
        });
    }

    public Future<Optional<RankData>> rank(String modelId) {
        return db.execute(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT rank_csv, rank_switch_timestep, rank_switch_source "
                    + "FROM model_documents WHERE model_id = ? AND rank_csv IS NOT NULL")) {
                ps.setString(1, modelId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    int t = rs.getInt(2);
                    boolean none = rs.wasNull();
                    Integer given = "GIVEN".equals(rs.getString(3)) && !none ? t : null;
                    return Optional.of(RankData.parse(rs.getString(1), given));
                }
            }
        });
    }

    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private Future<Void> upsert(String modelId, long nowMs, String set, Binder binder, int params) {
        return db.inTransaction(c -> {
            ensureRow(c, modelId, nowMs);
            try (PreparedStatement ps = c.prepareStatement("UPDATE model_documents SET " + set + ", updated_ms = ? "
                    + "WHERE model_id = ?")) {
                binder.bind(ps);
                ps.setLong(params + 1, nowMs);
                ps.setString(params + 2, modelId);
                ps.executeUpdate();
            }
            return null;
        });
    }

    private static void ensureRow(Connection c, String modelId, long nowMs) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT 1 FROM model_documents WHERE model_id = ?")) {
            q.setString(1, modelId);
            try (ResultSet rs = q.executeQuery()) {
                if (rs.next()) {
                    return;
                }
            }
        }
        try (PreparedStatement ins = c.prepareStatement("INSERT INTO model_documents (model_id, updated_ms) VALUES (?, ?)")) {
            ins.setString(1, modelId);
            ins.setLong(2, nowMs);
            ins.executeUpdate();
        }
    }
}
