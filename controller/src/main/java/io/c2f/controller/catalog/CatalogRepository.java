package io.c2f.controller.catalog;

import com.google.protobuf.InvalidProtocolBufferException;
import io.c2f.controller.store.Database;
import io.c2f.controller.store.StoreException;
import io.c2f.schedules.Schedule;
import io.c2f.schedules.ScheduleFormatException;
import io.vertx.core.Future;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

/** The schedule catalogs of the registered models ({@code model_schedules}, V3). */
public final class CatalogRepository {
    private final Database db;

    public CatalogRepository(Database db) {
        this.db = db;
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
                    ps.setBytes(8, e.schedule().toProto().toByteArray());
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

    private static Schedule parse(byte[] bytes, String id) {
        try {
            return Schedule.fromProto(io.c2f.proto.v1.Schedule.parseFrom(bytes), "stored schedule " + id);
        } catch (InvalidProtocolBufferException | ScheduleFormatException e) {
            throw new StoreException("stored schedule " + id + " is not a valid c2f.v1.Schedule: " + e.getMessage(), e);
        }
    }
}
