package io.c2f.controller.telemetry;

import io.c2f.controller.store.Database;
import io.vertx.core.Future;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The per-minute latency history ({@code latency_minutes}, V3). */
public final class LatencyRepository {
    private final Database db;

    public LatencyRepository(Database db) {
        this.db = db;
    }

    /**
     * Stores a minute; a minute stored before (a flush, then more records of the same minute) is
     * merged: counts and sums add up, percentiles become the count-weighted mean of both parts
     * (an approximation; exact percentiles of a minute need its samples).
     */
    public Future<Void> store(MinuteBucket b) {
        return db.execute(c -> {
            if (update(c, b) == 0) {
                try {
                    insert(c, b);
                } catch (SQLException e) {
                    if (!"23505".equals(e.getSQLState()) || update(c, b) == 0) {
                        throw e;
                    }
                }
            }
            return null;
        });
    }

    private static int update(Connection c, MinuteBucket b) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE latency_minutes SET "
                + "p50_ms = (p50_ms * gen_count + ? * ?) / (gen_count + ?), "
                + "p95_ms = (p95_ms * gen_count + ? * ?) / (gen_count + ?), "
                + "p99_ms = (p99_ms * gen_count + ? * ?) / (gen_count + ?), "
                + "gen_count = gen_count + ?, total_sum_ms = total_sum_ms + ?, "
                + "total_max_ms = GREATEST(total_max_ms, ?), low_sum_ms = low_sum_ms + ?, high_sum_ms = high_sum_ms + ? "
                + "WHERE device_id = ? AND minute_ms = ?")) {
            int i = 1;
            for (double p : new double[] {b.p50Ms(), b.p95Ms(), b.p99Ms()}) {
                ps.setDouble(i++, p);
                ps.setLong(i++, b.count());
                ps.setLong(i++, b.count());
            }
            ps.setLong(i++, b.count());
            ps.setDouble(i++, b.totalSumMs());
            ps.setDouble(i++, b.totalMaxMs());
            ps.setDouble(i++, b.lowSumMs());
            ps.setDouble(i++, b.highSumMs());
            ps.setString(i++, b.deviceId());
            ps.setLong(i, b.minuteMs());
            return ps.executeUpdate();
        }
    }

    private static void insert(Connection c, MinuteBucket b) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO latency_minutes (device_id, minute_ms, gen_count, "
                + "total_sum_ms, total_max_ms, low_sum_ms, high_sum_ms, p50_ms, p95_ms, p99_ms) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, b.deviceId());
            ps.setLong(2, b.minuteMs());
            ps.setLong(3, b.count());
            ps.setDouble(4, b.totalSumMs());
            ps.setDouble(5, b.totalMaxMs());
            ps.setDouble(6, b.lowSumMs());
            ps.setDouble(7, b.highSumMs());
            ps.setDouble(8, b.p50Ms());
            ps.setDouble(9, b.p95Ms());
            ps.setDouble(10, b.p99Ms());
            ps.executeUpdate();
        }
    }

    /** The device's minutes from sinceMs on, oldest first, at most limit. */
    public Future<List<MinuteBucket>> history(String deviceId, long sinceMs, int limit) {
        return db.execute(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT device_id, minute_ms, gen_count, total_sum_ms, "
                    + "total_max_ms, low_sum_ms, high_sum_ms, p50_ms, p95_ms, p99_ms FROM latency_minutes "
                    + "WHERE device_id = ? AND minute_ms >= ? ORDER BY minute_ms DESC LIMIT ?")) {
                ps.setString(1, deviceId);
                ps.setLong(2, sinceMs);
                ps.setInt(3, limit);
                List<MinuteBucket> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new MinuteBucket(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getDouble(4),
                                rs.getDouble(5), rs.getDouble(6), rs.getDouble(7), rs.getDouble(8), rs.getDouble(9),
                                rs.getDouble(10)));
                    }
                }
                Collections.reverse(out);
                return out;
            }
        });
    }

    /** Deletes minutes before cutoffMs (retention); returns how many. */
    public Future<Integer> deleteBefore(long cutoffMs) {
        return db.execute(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM latency_minutes WHERE minute_ms < ?")) {
                ps.setLong(1, cutoffMs);
                return ps.executeUpdate();
            }
        });
    }
}
