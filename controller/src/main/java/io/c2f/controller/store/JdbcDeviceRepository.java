package io.c2f.controller.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@link DeviceRepository} over JDBC. The SQL is the common subset of PostgreSQL and H2 in
 * PostgreSQL mode: no MERGE (PostgreSQL 15+ only), upserts as update-then-insert, duplicates
 * skipped with {@code ON CONFLICT DO NOTHING}.
 */
public final class JdbcDeviceRepository implements DeviceRepository {
    private static final String UNIQUE_VIOLATION = "23505";
    private static final String COLUMNS = "id, fleet, labels, hardware, delegates, agent_version, bundle_id, "
            + "bundle_version, bundle_model_sha256, bundle_slot, schedule_id, bd_seq, status, offline_reason, "
            + "first_seen_ms, last_seen_ms, last_birth_ms, heartbeat_interval_ms, latency_target_ms, "
            + "telemetry_next_seq, telemetry_received, telemetry_dropped, telemetry_gap, capabilities";

    private final Database db;

    public JdbcDeviceRepository(Database db) {
        this.db = db;
    }

    @Override
    public Future<Void> upsertBirth(DeviceBirth b) {
        return db.execute(c -> {
            if (updateFromBirth(c, b) == 0) {
                try {
                    insertFromBirth(c, b);
                } catch (SQLException e) {
                    // another controller instance inserted it meanwhile: the update now finds the row
                    if (!UNIQUE_VIOLATION.equals(e.getSQLState()) || updateFromBirth(c, b) == 0) {
                        throw e;
                    }
                }
            }
            return null;
        });
    }

    private static int updateFromBirth(Connection c, DeviceBirth b) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE devices SET fleet = ?, labels = ?, hardware = ?, "
                + "delegates = ?, agent_version = ?, bundle_id = ?, bundle_version = ?, bundle_model_sha256 = ?, "
                + "bundle_slot = ?, schedule_id = ?, capabilities = ?, bd_seq = ?, status = 'ONLINE', offline_reason = NULL, "
                + "last_seen_ms = ?, last_birth_ms = ? WHERE id = ?")) {
            int i = birthFields(ps, b);
            ps.setLong(i++, b.bdSeq());
            ps.setLong(i++, b.atMs());
            ps.setLong(i++, b.atMs());
            ps.setString(i, b.deviceId());
            return ps.executeUpdate();
        }
    }

    private static void insertFromBirth(Connection c, DeviceBirth b) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO devices (fleet, labels, hardware, delegates, "
                + "agent_version, bundle_id, bundle_version, bundle_model_sha256, bundle_slot, schedule_id, "
                + "capabilities, bd_seq, status, first_seen_ms, last_seen_ms, last_birth_ms, id) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'ONLINE', ?, ?, ?, ?)")) {
            int i = birthFields(ps, b);
            ps.setLong(i++, b.bdSeq());
            ps.setLong(i++, b.atMs());
            ps.setLong(i++, b.atMs());
            ps.setLong(i++, b.atMs());
            ps.setString(i, b.deviceId());
            ps.executeUpdate();
        }
    }

    private static int birthFields(PreparedStatement ps, DeviceBirth b) throws SQLException {
        int i = 1;
        ps.setString(i++, b.fleet());
        ps.setString(i++, new JsonArray(new ArrayList<>(b.labels())).encode());
        ps.setString(i++, b.hardwareJson());
        ps.setString(i++, b.delegatesJson());
        ps.setString(i++, emptyToNull(b.agentVersion()));
        ps.setString(i++, emptyToNull(b.bundleId()));
        ps.setString(i++, emptyToNull(b.bundleVersion()));
        ps.setString(i++, emptyToNull(b.bundleModelSha256()));
        ps.setString(i++, emptyToNull(b.bundleSlot()));
        ps.setString(i++, emptyToNull(b.scheduleId()));
        ps.setString(i++, new JsonArray(new ArrayList<>(b.capabilities())).encode());
        return i;
    }

    @Override
    public Future<Boolean> markOffline(String deviceId, long bdSeq, String reason, long atMs) {
        return db.execute(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE devices SET status = 'OFFLINE', "
                    + "offline_reason = ?, last_seen_ms = ? WHERE id = ? AND bd_seq = ? AND status = 'ONLINE'")) {
                ps.setString(1, reason);
                ps.setLong(2, atMs);
                ps.setString(3, deviceId);
                ps.setLong(4, bdSeq);
                return ps.executeUpdate() == 1;
            }
        });
    }

    /**
     * One batched update in device id order, the order telemetry batches lock device rows in, so the
     * two cannot deadlock. {@code last_seen_ms <= ?} keeps a heartbeat written late (after the death
     * of its session was recorded) from moving last_seen back.
     */
    @Override
    public Future<Void> touchAll(List<DeviceTouch> touches) {
        if (touches.isEmpty()) {
            return Future.succeededFuture();
        }
        List<DeviceTouch> sorted = touches.stream().sorted(Comparator.comparing(DeviceTouch::deviceId)).toList();
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE devices SET last_seen_ms = ?, "
                    + "heartbeat_interval_ms = ? WHERE id = ? AND bd_seq = ? AND last_seen_ms <= ?")) {
                for (DeviceTouch t : sorted) {
                    ps.setLong(1, t.atMs());
                    if (t.heartbeatIntervalMs() > 0) {
                        ps.setInt(2, t.heartbeatIntervalMs());
                    } else {
                        ps.setNull(2, Types.INTEGER);
                    }
                    ps.setString(3, t.deviceId());
                    ps.setLong(4, t.bdSeq());
                    ps.setLong(5, t.atMs());
                    ps.addBatch();
                }
                ps.executeBatch();
                return null;
            }
        });
    }

    /**
     * Multi-row inserts ({@link TelemetryInserts}; duplicates skipped), then the loss counters of the devices concerned:
     * locked in id order (so concurrent batches of several instances cannot deadlock), worked out
     * record by record in list order, and written with one batched update.
     */
    @Override
    public Future<List<TelemetryIngest>> ingestTelemetryBatch(List<TelemetryRecord> records) {
        if (records.isEmpty()) {
            return Future.succeededFuture(List.of());
        }
        List<TelemetryRecord> batch = List.copyOf(records);
        boolean postgres = db.isPostgres();
        return db.inTransaction(c -> {
            boolean[] inserted = TelemetryInserts.insert(c, postgres, batch);
            TreeMap<String, long[]> counters = new TreeMap<>();
            for (int i = 0; i < batch.size(); i++) {
                if (inserted[i]) {
                    counters.put(batch.get(i).deviceId(), null);
                }
            }
            lockCounters(c, counters);
            List<TelemetryIngest> out = new ArrayList<>(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                TelemetryRecord r = batch.get(i);
                if (!inserted[i]) {
                    out.add(TelemetryIngest.DUPLICATE);
                    continue;
                }
                long[] d = counters.get(r.deviceId()); // next_seq, received, dropped, gap; null: no such device
                if (d == null) {
                    out.add(new TelemetryIngest(false, r.droppedBefore(), 0));
                    continue;
                }
                long gap;
                if (d[1] == 0) {
                    gap = 0;
                } else if (r.telemetrySeq() >= d[0]) {
                    gap = Math.max(0, r.telemetrySeq() - d[0] - r.droppedBefore());
                } else {
                    gap = -1;
                }
                d[0] = Math.max(d[0], r.telemetrySeq() + 1);
                d[1]++;
                d[2] += r.droppedBefore();
                d[3] = Math.max(0, d[3] + gap);
                out.add(new TelemetryIngest(false, r.droppedBefore(), gap));
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE devices SET telemetry_next_seq = ?, "
                    + "telemetry_received = ?, telemetry_dropped = ?, telemetry_gap = ? WHERE id = ?")) {
                boolean any = false;
                for (Map.Entry<String, long[]> e : counters.entrySet()) {
                    long[] d = e.getValue();
                    if (d == null) {
                        continue;
                    }
                    for (int k = 0; k < 4; k++) {
                        ps.setLong(k + 1, d[k]);
                    }
                    ps.setString(5, e.getKey());
                    ps.addBatch();
                    any = true;
                }
                if (any) {
                    ps.executeBatch();
                }
            }
            return out;
        });
    }

    /** Reads and locks the counters of these devices (absent devices stay null), in id order. */
    private static void lockCounters(Connection c, TreeMap<String, long[]> counters) throws SQLException {
        List<String> ids = new ArrayList<>(counters.keySet());
        for (int from = 0; from < ids.size(); from += 500) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + 500));
            String marks = String.join(", ", Collections.nCopies(chunk.size(), "?"));
            try (PreparedStatement ps = c.prepareStatement("SELECT id, telemetry_next_seq, telemetry_received, "
                    + "telemetry_dropped, telemetry_gap FROM devices WHERE id IN (" + marks + ") ORDER BY id FOR UPDATE")) {
                for (int i = 0; i < chunk.size(); i++) {
                    ps.setString(i + 1, chunk.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        counters.put(rs.getString(1), new long[] {rs.getLong(2), rs.getLong(3), rs.getLong(4),
                                rs.getLong(5)});
                    }
                }
            }
        }
    }

    @Override
    public Future<Optional<DeviceRecord>> find(String fleet, String deviceId) {
        return db.execute(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                    + " FROM devices WHERE fleet = ? AND id = ?")) {
                ps.setString(1, fleet);
                ps.setString(2, deviceId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(read(rs)) : Optional.empty();
                }
            }
        });
    }

    /**
     * The search text goes in as a bound LIKE pattern with its wildcards escaped; the order is one
     * of {@link DeviceSort}'s fixed expressions, the cursor a keyset comparison on (value, id).
     */
    @Override
    public Future<List<DeviceRecord>> query(String fleet, DeviceQuery q) {
        return db.execute(c -> {
            StringBuilder sql = new StringBuilder("SELECT ").append(COLUMNS).append(" FROM devices WHERE fleet = ?");
            if (q.status() != null) {
                sql.append(" AND status = ?");
            }
            if (q.text() != null) {
                sql.append(" AND (LOWER(id) LIKE ? ESCAPE '\\' OR LOWER(labels) LIKE ? ESCAPE '\\'"
                        + " OR LOWER(schedule_id) LIKE ? ESCAPE '\\' OR LOWER(bundle_id) LIKE ? ESCAPE '\\')");
            }
            String cmp = q.descending() ? " < " : " > ";
            String expr = q.sort().sql();
            if (q.after() != null) {
                sql.append(q.sort() == DeviceSort.ID ? " AND id" + cmp + "?"
                        : " AND (" + expr + cmp + "? OR (" + expr + " = ? AND id" + cmp + "?))");
            }
            String dir = q.descending() ? " DESC" : " ASC";
            sql.append(" ORDER BY ").append(q.sort() == DeviceSort.ID ? "" : expr + dir + ", ").append("id").append(dir)
                    .append(" LIMIT ?");
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                int i = 1;
                ps.setString(i++, fleet);
                if (q.status() != null) {
                    ps.setString(i++, q.status().name());
                }
                if (q.text() != null) {
                    String like = q.likePattern();
                    for (int k = 0; k < 4; k++) {
                        ps.setString(i++, like);
                    }
                }
                if (q.after() != null) {
                    if (q.sort() != DeviceSort.ID) {
                        for (int k = 0; k < 2; k++) {
                            if (q.sort().numeric()) {
                                ps.setLong(i++, Long.parseLong(q.after().value()));
                            } else {
                                ps.setString(i++, q.after().value());
                            }
                        }
                    }
                    ps.setString(i++, q.after().id());
                }
                ps.setInt(i, q.limit());
                List<DeviceRecord> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(read(rs));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public Future<Void> ping() {
        return db.execute(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1"); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return null;
            }
        });
    }

    private static DeviceRecord read(ResultSet rs) throws SQLException {
        List<String> labels = strings(rs.getString("labels"));
        String announced = rs.getString("capabilities");
        List<String> capabilities = announced == null ? List.of() : strings(announced);
        int hb = rs.getInt("heartbeat_interval_ms");
        Integer heartbeat = rs.wasNull() ? null : hb;
        double target = rs.getDouble("latency_target_ms");
        Double latencyTarget = rs.wasNull() ? null : target;
        return new DeviceRecord(rs.getString("id"), rs.getString("fleet"), labels, rs.getString("hardware"),
                rs.getString("delegates"), rs.getString("agent_version"), rs.getString("bundle_id"),
                rs.getString("bundle_version"), rs.getString("bundle_model_sha256"), rs.getString("bundle_slot"),
                rs.getString("schedule_id"), rs.getLong("bd_seq"), DeviceStatus.valueOf(rs.getString("status")),
                rs.getString("offline_reason"), rs.getLong("first_seen_ms"), rs.getLong("last_seen_ms"),
                rs.getLong("last_birth_ms"), heartbeat, latencyTarget, rs.getLong("telemetry_next_seq"),
                rs.getLong("telemetry_received"), rs.getLong("telemetry_dropped"), rs.getLong("telemetry_gap"),
                capabilities);
    }

    private static List<String> strings(String jsonArray) {
        List<String> out = new ArrayList<>();
        for (Object o : new JsonArray(jsonArray)) {
            out.add(String.valueOf(o));
        }
        return out;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
