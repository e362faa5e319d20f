package io.c2f.controller.retune;

import io.c2f.controller.store.Database;
import io.vertx.core.Future;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

/** Latency targets ({@code devices.latency_target_ms}, {@code device_tuning}) and the decision log (V3). */
public final class RetuneRepository {
    private final Database db;

    public RetuneRepository(Database db) {
        this.db = db;
    }

    /**
     * Sets (or with null clears) a device's target and, when modelId is not null, the model it
     * tunes from. Returns false when the device is not known.
     */
    public Future<Boolean> setTarget(String fleet, String deviceId, Double targetMs, String modelId, long nowMs) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE devices SET latency_target_ms = ? "
                    + "WHERE id = ? AND fleet = ?")) {
                if (targetMs == null) {
                    ps.setNull(1, Types.DOUBLE);
                } else {
                    ps.setDouble(1, targetMs);
                }
                ps.setString(2, deviceId);
                ps.setString(3, fleet);
                if (ps.executeUpdate() == 0) {
                    return false;
                }
            }
            if (modelId != null || targetMs == null) {
                try (PreparedStatement del = c.prepareStatement("DELETE FROM device_tuning WHERE device_id = ?")) {
                    del.setString(1, deviceId);
                    del.executeUpdate();
                }
            }
            if (modelId != null) {
                try (PreparedStatement ins = c.prepareStatement("INSERT INTO device_tuning (device_id, model_id, "
                        + "updated_ms) VALUES (?, ?, ?)")) {
                    ins.setString(1, deviceId);
                    ins.setString(2, modelId);
                    ins.setLong(3, nowMs);
                    ins.executeUpdate();
                }
            }
            return true;
        });
    }

    /** Online devices of the fleet that have a target; the model is the explicit one, else matched by sha256. */
    public Future<List<TuningTarget>> targets(String fleet) {
        return db.execute(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT d.id, d.latency_target_ms, "
                    + "COALESCE(t.model_id, (SELECT MIN(m.id) FROM models m WHERE m.model_sha256 = d.bundle_model_sha256)), "
                    + "d.bundle_model_sha256, d.schedule_id, d.labels FROM devices d "
                    + "LEFT JOIN device_tuning t ON t.device_id = d.id "
                    + "WHERE d.fleet = ? AND d.status = 'ONLINE' AND d.latency_target_ms IS NOT NULL ORDER BY d.id")) {
                ps.setString(1, fleet);
                List<TuningTarget> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new TuningTarget(rs.getString(1), rs.getDouble(2), rs.getString(3), rs.getString(4),
                                rs.getString(5), rs.getString(6)));
                    }
                }
                return out;
            }
        });
    }

    public Future<Void> record(RetuneRecord r) {
        return db.execute(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO retune_decisions (device_id, decided_ms, "
                    + "from_schedule, to_schedule, predicted_ms, observed_p95_ms, target_ms, reason, job_id) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, r.deviceId());
                ps.setLong(2, r.decidedMs());
                ps.setString(3, r.fromSchedule());
                ps.setString(4, r.toSchedule());
                ps.setDouble(5, r.predictedMs());
                if (r.observedP95Ms() == null || r.observedP95Ms().isNaN()) {
                    ps.setNull(6, Types.DOUBLE);
                } else {
                    ps.setDouble(6, r.observedP95Ms());
                }
                ps.setDouble(7, r.targetMs());
                ps.setString(8, r.reason());
                ps.setString(9, r.jobId());
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** The device's decisions, newest first. */
    public Future<List<RetuneRecord>> history(String deviceId, int limit) {
        return db.execute(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT id, device_id, decided_ms, from_schedule, "
                    + "to_schedule, predicted_ms, observed_p95_ms, target_ms, reason, job_id FROM retune_decisions "
                    + "WHERE device_id = ? ORDER BY decided_ms DESC, id DESC LIMIT ?")) {
                ps.setString(1, deviceId);
                ps.setInt(2, limit);
                List<RetuneRecord> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        double p95 = rs.getDouble(7);
                        Double obs = rs.wasNull() ? null : p95;
                        out.add(new RetuneRecord(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getString(4),
                                rs.getString(5), rs.getDouble(6), obs, rs.getDouble(8), rs.getString(9),
                                rs.getString(10)));
                    }
                }
                return out;
            }
        });
    }
}
