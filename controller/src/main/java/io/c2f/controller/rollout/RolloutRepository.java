package io.c2f.controller.rollout;

import io.c2f.controller.log.EventLog;
import io.c2f.controller.store.Database;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@code rollouts}, {@code rollout_waves} and {@code rollout_events} tables. */
final class RolloutRepository {
    private static final Logger LOG = LoggerFactory.getLogger(RolloutRepository.class);
    private static final String COLUMNS = "id, fleet, bundle_id, spec, state, current_wave, abort_reason, created_ms, "
            + "updated_ms, finished_ms, lease_owner, lease_expires_ms";
    private static final String ACTIVE = "state IN ('RUNNING', 'PAUSED', 'ABORTING')";

    private final Database db;

    RolloutRepository(Database db) {
        this.db = db;
    }

    Database database() {
        return db;
    }

    static void insert(Connection c, Rollout r, List<Wave> waves) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO rollouts (" + COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            int i = 1;
            ps.setString(i++, r.id());
            ps.setString(i++, r.fleet());
            ps.setString(i++, r.bundleId());
            ps.setString(i++, r.spec().toJson().encode());
            ps.setString(i++, r.state().name());
            ps.setInt(i++, r.currentWave());
            ps.setString(i++, r.abortReason());
            ps.setLong(i++, r.createdMs());
            ps.setLong(i++, r.updatedMs());
            ps.setNull(i++, Types.BIGINT);
            ps.setString(i++, r.leaseOwner());
            ps.setLong(i, r.leaseExpiresMs());
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO rollout_waves (rollout_id, wave_index, state, "
                + "devices) VALUES (?, ?, ?, ?)")) {
            for (Wave w : waves) {
                ps.setString(1, w.rolloutId());
                ps.setInt(2, w.index());
                ps.setString(3, w.state());
                ps.setString(4, new JsonArray(new ArrayList<>(w.devices())).encode());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    static Optional<Rollout> find(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM rollouts WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    Future<List<Rollout>> list(String fleet) {
        return db.execute(c -> {
            List<Rollout> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                    + " FROM rollouts WHERE fleet = ? ORDER BY created_ms DESC, id")) {
                ps.setString(1, fleet);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(read(rs));
                    }
                }
            }
            return out;
        });
    }

    static List<Wave> waves(Connection c, String rolloutId) throws SQLException {
        List<Wave> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT rollout_id, wave_index, state, devices, started_ms, "
                + "finished_ms FROM rollout_waves WHERE rollout_id = ? ORDER BY wave_index")) {
            ps.setString(1, rolloutId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    List<String> devices = new ArrayList<>();
                    new JsonArray(rs.getString("devices")).forEach(d -> devices.add(String.valueOf(d)));
                    long started = rs.getLong("started_ms");
                    Long startedMs = rs.wasNull() ? null : started;
                    long finished = rs.getLong("finished_ms");
                    Long finishedMs = rs.wasNull() ? null : finished;
                    out.add(new Wave(rs.getString("rollout_id"), rs.getInt("wave_index"), rs.getString("state"),
                            devices, startedMs, finishedMs));
                }
            }
        }
        return out;
    }

    static boolean setWaveState(Connection c, String rolloutId, int index, String from, String to, long nowMs)
            throws SQLException {
        String time = to.equals("RUNNING") ? "started_ms" : "finished_ms";
        try (PreparedStatement ps = c.prepareStatement("UPDATE rollout_waves SET state = ?, " + time + " = ? "
                + "WHERE rollout_id = ? AND wave_index = ? AND state = ?")) {
            ps.setString(1, to);
            ps.setLong(2, nowMs);
            ps.setString(3, rolloutId);
            ps.setInt(4, index);
            ps.setString(5, from);
            return ps.executeUpdate() == 1;
        }
    }

    /**
     * Moves the rollout from one of the given states to another.
     *
     * @return whether it was in one of them
     */
    static boolean transition(Connection c, String id, List<RolloutState> from, RolloutState to, String reason,
            long nowMs) throws SQLException {
        StringBuilder in = new StringBuilder();
        for (RolloutState s : from) {
            in.append(in.length() == 0 ? "'" : ", '").append(s.name()).append('\'');
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE rollouts SET state = ?, updated_ms = ?, "
                + "abort_reason = COALESCE(?, abort_reason), finished_ms = ? WHERE id = ? AND state IN (" + in + ")")) {
            ps.setString(1, to.name());
            ps.setLong(2, nowMs);
            ps.setString(3, reason);
            if (to.active()) {
                ps.setNull(4, Types.BIGINT);
            } else {
                ps.setLong(4, nowMs);
            }
            ps.setString(5, id);
            return ps.executeUpdate() == 1;
        }
    }

    static void setCurrentWave(Connection c, String id, int wave, long nowMs) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE rollouts SET current_wave = ?, updated_ms = ? "
                + "WHERE id = ?")) {
            ps.setInt(1, wave);
            ps.setLong(2, nowMs);
            ps.setString(3, id);
            ps.executeUpdate();
        }
    }

    static void event(Connection c, String rolloutId, String kind, String message, long nowMs) throws SQLException {
        event(c, rolloutId, kind, message, nowMs, null);
    }

    /**
     * Records a rollout event and logs it as one line ({@code event=rollout.wave.started rollout=...
     * wave=...}); logged as the row is written, inside the caller's transaction.
     */
    static void event(Connection c, String rolloutId, String kind, String message, long nowMs, Integer wave)
            throws SQLException {
        EventLog.info(LOG, "rollout." + kind.toLowerCase(Locale.ROOT).replace('_', '.'), "rollout", rolloutId,
                "wave", wave, "detail", message);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO rollout_events (rollout_id, at_ms, kind, message) "
                + "VALUES (?, ?, ?, ?)")) {
            ps.setString(1, rolloutId);
            ps.setLong(2, nowMs);
            ps.setString(3, kind);
            ps.setString(4, message);
            ps.executeUpdate();
        }
    }

    static List<RolloutEvent> events(Connection c, String rolloutId, int limit) throws SQLException {
        List<RolloutEvent> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT at_ms, kind, message FROM rollout_events "
                + "WHERE rollout_id = ? ORDER BY at_ms, kind LIMIT ?")) {
            ps.setString(1, rolloutId);
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new RolloutEvent(rs.getLong(1), rs.getString(2), rs.getString(3)));
                }
            }
        }
        return out;
    }

    /**
     * Takes or renews the lease of every active rollout that is free, expired or already ours.
     *
     * @return the active rollouts this owner now drives, each with when it was last driven
     */
    Future<List<Lease>> lease(String fleet, String owner, long nowMs, long leaseMs) {
        return db.execute(c -> {
            Map<String, Long> lastDriven = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, lease_owner, lease_expires_ms, created_ms "
                    + "FROM rollouts WHERE fleet = ? AND " + ACTIVE)) {
                ps.setString(1, fleet);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        // released: driven until the release; held: until the last renewal (a crash since)
                        long expires = rs.getLong("lease_expires_ms");
                        long driven = rs.getString("lease_owner") == null ? expires : expires - leaseMs;
                        lastDriven.put(rs.getString("id"), Math.max(driven, rs.getLong("created_ms")));
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE rollouts SET lease_owner = ?, lease_expires_ms = ? "
                    + "WHERE fleet = ? AND " + ACTIVE + " AND (lease_owner IS NULL OR lease_owner = ? "
                    + "OR lease_expires_ms < ?)")) {
                ps.setString(1, owner);
                ps.setLong(2, nowMs + leaseMs);
                ps.setString(3, fleet);
                ps.setString(4, owner);
                ps.setLong(5, nowMs);
                ps.executeUpdate();
            }
            List<Lease> leases = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM rollouts WHERE fleet = ? AND " + ACTIVE
                    + " AND lease_owner = ? ORDER BY created_ms")) {
                ps.setString(1, fleet);
                ps.setString(2, owner);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String id = rs.getString(1);
                        leases.add(new Lease(id, lastDriven.getOrDefault(id, nowMs)));
                    }
                }
            }
            return leases;
        });
    }

    /**
     * A rollout this controller drives.
     *
     * @param lastDrivenMs until when a controller drove it before this lease (the last renewal, or the
     *     release of a clean stop); the time since is time nobody listened to its devices
     */
    record Lease(String rolloutId, long lastDrivenMs) {
    }

    /** Gives up this owner's leases (a clean stop), so another controller takes over at once. */
    Future<Void> release(String owner, long nowMs) {
        return db.execute(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE rollouts SET lease_owner = NULL, "
                    + "lease_expires_ms = ? WHERE lease_owner = ?")) {
                ps.setLong(1, nowMs);
                ps.setString(2, owner);
                ps.executeUpdate();
                return null;
            }
        });
    }

    /** ABORTED rollouts that gave the device an install job of this bundle. */
    Future<List<String>> abortedWithInstall(String deviceId, String bundleId) {
        return db.execute(c -> {
            List<String> ids = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT r.id FROM jobs j JOIN rollouts r "
                    + "ON j.rollout_id = r.id WHERE j.device_id = ? AND j.bundle_id = ? AND j.kind = 'INSTALL' "
                    + "AND r.state = 'ABORTED'")) {
                ps.setString(1, deviceId);
                ps.setString(2, bundleId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getString(1));
                    }
                }
            }
            return ids;
        });
    }

    /** Registry facts of a fleet's devices, by id. */
    static Map<String, DeviceFacts> devices(Connection c, String fleet) throws SQLException {
        Map<String, DeviceFacts> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT id, status, bundle_id, labels, last_birth_ms FROM devices "
                + "WHERE fleet = ?")) {
            ps.setString(1, fleet);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    List<String> labels = new ArrayList<>();
                    new JsonArray(rs.getString("labels")).forEach(l -> labels.add(String.valueOf(l)));
                    out.put(rs.getString("id"), new DeviceFacts(rs.getString("id"),
                            "ONLINE".equals(rs.getString("status")), rs.getString("bundle_id"), labels,
                            rs.getLong("last_birth_ms")));
                }
            }
        }
        return out;
    }

    private static Rollout read(ResultSet rs) throws SQLException {
        long finished = rs.getLong("finished_ms");
        Long finishedMs = rs.wasNull() ? null : finished;
        return new Rollout(rs.getString("id"), rs.getString("fleet"), rs.getString("bundle_id"),
                RolloutSpec.fromJson(new JsonObject(rs.getString("spec"))), RolloutState.valueOf(rs.getString("state")),
                rs.getInt("current_wave"), rs.getString("abort_reason"), rs.getLong("created_ms"),
                rs.getLong("updated_ms"), finishedMs, rs.getString("lease_owner"), rs.getLong("lease_expires_ms"));
    }
}
