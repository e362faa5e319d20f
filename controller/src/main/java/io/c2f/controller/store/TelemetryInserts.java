package io.c2f.controller.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Inserts a batch of telemetry rows and tells which were new. Duplicates, whether stored before or
 * repeated inside the batch, are skipped; of a (device, seq) repeated inside the batch the first
 * occurrence counts as the new one, as with one insert per record in list order.
 *
 * <p>PostgreSQL: a few multi-row {@code INSERT ... ON CONFLICT DO NOTHING RETURNING} statements (up
 * to {@link #ROWS_PER_STATEMENT} rows each) instead of one executed statement per row; RETURNING
 * names the rows inserted, exact even with several controller instances writing at once. H2 (in
 * process: a statement per row costs no round trip) keeps one JDBC batch, whose update counts are
 * exact; a multi-row insert there would need a read of the stored keys first (H2 has no RETURNING),
 * which measured slower.
 */
final class TelemetryInserts {
    /** 8 parameters a row: 4,000 a statement, well below PostgreSQL's 32,767 bind parameters. */
    static final int ROWS_PER_STATEMENT = 500;
    private static final String INSERT = "INSERT INTO telemetry (device_id, telemetry_seq, fleet, kind, dropped_before, "
            + "sent_at_ms, received_at_ms, payload) VALUES ";
    private static final String ROW = "(?, ?, ?, ?, ?, ?, ?, ?)";

    private record Key(String deviceId, long seq) {
    }

    private TelemetryInserts() {
    }

    /** For each record in order: whether it was inserted (false: a duplicate). */
    static boolean[] insert(Connection c, boolean postgres, List<TelemetryRecord> batch) throws SQLException {
        boolean[] inserted = new boolean[batch.size()];
        if (!postgres) {
            insertBatch(c, batch, inserted);
            return inserted;
        }
        Set<Key> seen = new HashSet<>(batch.size() * 2);
        for (int from = 0; from < batch.size(); from += ROWS_PER_STATEMENT) {
            List<TelemetryRecord> slice = batch.subList(from, Math.min(batch.size(), from + ROWS_PER_STATEMENT));
            insertReturning(c, slice, from, inserted, seen);
        }
        return inserted;
    }

    private static void insertReturning(Connection c, List<TelemetryRecord> slice, int offset, boolean[] inserted,
            Set<Key> seen) throws SQLException {
        Set<Key> returned = new HashSet<>(slice.size() * 2);
        try (PreparedStatement ps = c.prepareStatement(INSERT + rows(slice.size())
                + " ON CONFLICT DO NOTHING RETURNING device_id, telemetry_seq")) {
            bind(ps, slice);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    returned.add(new Key(rs.getString(1), rs.getLong(2)));
                }
            }
        }
        for (int i = 0; i < slice.size(); i++) {
            Key k = key(slice.get(i));
            // seen.add: only the first occurrence of a key repeated in the batch is the inserted one
            inserted[offset + i] = seen.add(k) && returned.contains(k);
        }
    }

    /** H2: one JDBC batch (in process, no round trips to save); its update counts say which rows were new. */
    private static void insertBatch(Connection c, List<TelemetryRecord> batch, boolean[] inserted)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT + ROW + " ON CONFLICT DO NOTHING")) {
            for (TelemetryRecord r : batch) {
                bind(ps, List.of(r));
                ps.addBatch();
            }
            int[] counts = ps.executeBatch();
            for (int i = 0; i < counts.length; i++) {
                inserted[i] = counts[i] != 0; // SUCCESS_NO_INFO (-2) counts as inserted
            }
        }
    }

    private static String rows(int n) {
        StringBuilder s = new StringBuilder(n * (ROW.length() + 2));
        for (int i = 0; i < n; i++) {
            s.append(i == 0 ? ROW : ", " + ROW);
        }
        return s.toString();
    }

    private static void bind(PreparedStatement ps, List<TelemetryRecord> rows) throws SQLException {
        int p = 1;
        for (TelemetryRecord r : rows) {
            ps.setString(p++, r.deviceId());
            ps.setLong(p++, r.telemetrySeq());
            ps.setString(p++, r.fleet());
            ps.setString(p++, r.kind());
            ps.setLong(p++, r.droppedBefore());
            ps.setLong(p++, r.sentAtMs());
            ps.setLong(p++, r.receivedAtMs());
            ps.setBytes(p++, r.payload());
        }
    }

    private static Key key(TelemetryRecord r) {
        return new Key(r.deviceId(), r.telemetrySeq());
    }
}
