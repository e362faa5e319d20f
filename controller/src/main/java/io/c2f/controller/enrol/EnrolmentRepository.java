package io.c2f.controller.enrol;

import static io.c2f.controller.store.NullableColumns.nullableInt;
import static io.c2f.controller.store.NullableColumns.nullableLong;
import static io.c2f.controller.store.NullableColumns.setInt;
import static io.c2f.controller.store.NullableColumns.setLong;

import io.c2f.controller.api.ConflictException;
import io.c2f.controller.store.Database;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Enrolment tokens and enrolments over JDBC (tables of V7__enrolment.sql). Every state change is a
 * conditional UPDATE ({@code WHERE status = ...}), so two controller instances or two operator clicks
 * cannot both decide the same enrolment.
 */
public final class EnrolmentRepository {
    private static final String UNIQUE_VIOLATION = "23505";
    private static final String TOKEN_COLUMNS = "id, secret_sha256, labels, expires_ms, max_uses, uses, auto_accept, "
            + "created_ms, revoked_ms";
    private static final String ENROLMENT_COLUMNS = "device_id, token_id, request_id, status, credential_hash, "
            + "agent_version, hardware, labels, reason, requested_ms, decided_ms";

    private final Database db;

    public EnrolmentRepository(Database db) {
        this.db = db;
    }

    /** Stores a new token; fails with {@link ConflictException} when the id exists. */
    public Future<Void> insertToken(TokenRecord t) {
        return db.execute(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO enrolment_tokens (" + TOKEN_COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, t.id());
                ps.setString(2, t.secretSha256());
                ps.setString(3, new JsonObject(new LinkedHashMap<>(t.labels())).encode());
                setLong(ps, 4, t.expiresMs());
                setInt(ps, 5, t.maxUses());
                ps.setInt(6, t.uses());
                ps.setBoolean(7, t.autoAccept());
                ps.setLong(8, t.createdMs());
                setLong(ps, 9, t.revokedMs());
                ps.executeUpdate();
            } catch (SQLException e) {
                if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                    throw new ConflictException("enrolment token '" + t.id() + "' exists");
                }
                throw e;
            }
            return null;
        });
    }

    public Future<List<TokenRecord>> tokens() {
        return db.execute(c -> {
            List<TokenRecord> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + TOKEN_COLUMNS
                    + " FROM enrolment_tokens ORDER BY created_ms, id"); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(token(rs));
                }
            }
            return out;
        });
    }

    public Future<Optional<TokenRecord>> token(String id) {
        return db.execute(c -> token(c, id));
    }

    /** Marks the token revoked; empty when there is no such token, the record as it was when it was revoked already. */
    public Future<Optional<TokenRecord>> revokeToken(String id, long atMs) {
        return db.inTransaction(c -> {
            Optional<TokenRecord> t = token(c, id);
            if (t.isEmpty() || t.get().revokedMs() != null) {
                return t;
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE enrolment_tokens SET revoked_ms = ? WHERE id = ? AND revoked_ms IS NULL")) {
                ps.setLong(1, atMs);
                ps.setString(2, id);
                ps.executeUpdate();
            }
            return token(c, id);
        });
    }

    public Future<Optional<EnrolmentRecord>> enrolment(String deviceId) {
        return db.execute(c -> enrolment(c, deviceId));
    }

    /** Enrolments in a state (all when null), newest request first. */
    public Future<List<EnrolmentRecord>> enrolments(EnrolmentState state) {
        return db.execute(c -> {
            String sql = "SELECT " + ENROLMENT_COLUMNS + " FROM enrolments"
                    + (state == null ? "" : " WHERE status = ?") + " ORDER BY requested_ms DESC, device_id";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                if (state != null) {
                    ps.setString(1, state.name());
                }
                List<EnrolmentRecord> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(enrolment(rs));
                    }
                }
                return out;
            }
        });
    }

    /** Whether a device with this id has ever reported to the controller (a birth: a row in devices). */
    public Future<Boolean> deviceKnown(String deviceId) {
        return db.execute(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM devices WHERE id = ?")) {
                ps.setString(1, deviceId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    /**
     * Stores a pending request, replacing the row of an earlier request for the same id only when
     * that one was {@code replaceable} (rejected or decommissioned, or pending with the same
     * credential). False when another request got there first.
     */
    public Future<Boolean> savePending(EnrolmentRecord e, List<EnrolmentState> replaceable) {
        return db.inTransaction(c -> {
            Optional<EnrolmentRecord> old = enrolment(c, e.deviceId());
            if (old.isPresent()) {
                if (!replaceable.contains(old.get().state())) {
                    return false;
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "DELETE FROM enrolments WHERE device_id = ? AND status = ?")) {
                    ps.setString(1, e.deviceId());
                    ps.setString(2, old.get().state().name());
                    if (ps.executeUpdate() != 1) {
                        return false;
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO enrolments (" + ENROLMENT_COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                int i = 1;
                ps.setString(i++, e.deviceId());
                ps.setString(i++, e.tokenId());
                ps.setString(i++, e.requestId());
                ps.setString(i++, e.state().name());
                ps.setString(i++, e.credentialHash());
                ps.setString(i++, e.agentVersion());
                ps.setString(i++, e.hardwareJson());
                ps.setString(i++, new JsonArray(new ArrayList<>(e.labels())).encode());
                ps.setString(i++, e.reason());
                ps.setLong(i++, e.requestedMs());
                setLong(ps, i, e.decidedMs());
                ps.executeUpdate();
            } catch (SQLException ex) {
                if (UNIQUE_VIOLATION.equals(ex.getSQLState())) {
                    return false;
                }
                throw ex;
            }
            return true;
        });
    }

    /**
     * Accepts a pending enrolment and counts one use of its token, in one transaction: the token
     * must still have a use left. Empty when the enrolment is not pending (any more).
     *
     * @throws ConflictException when the token is used up
     */
    public Future<Optional<EnrolmentRecord>> accept(String deviceId, List<String> labels, long atMs) {
        return db.inTransaction(c -> {
            Optional<EnrolmentRecord> e = enrolment(c, deviceId);
            if (e.isEmpty() || e.get().state() != EnrolmentState.PENDING) {
                return Optional.empty();
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE enrolment_tokens SET uses = uses + 1 WHERE id = ? "
                    + "AND (max_uses IS NULL OR uses < max_uses)")) {
                ps.setString(1, e.get().tokenId());
                if (ps.executeUpdate() != 1) {
                    throw new ConflictException("enrolment token '" + e.get().tokenId() + "' of device '" + deviceId
                            + "' is used up (or was deleted): the device cannot be accepted with it");
                }
            }
            EnrolmentRecord accepted = e.get().decided(EnrolmentState.ACCEPTED, labels, null, atMs);
            return update(c, accepted, EnrolmentState.PENDING) ? Optional.of(accepted) : Optional.empty();
        });
    }

    /** Moves an enrolment from {@code from} to {@code to}; empty when it was not in {@code from}. */
    public Future<Optional<EnrolmentRecord>> decide(String deviceId, EnrolmentState from, EnrolmentState to,
            String reason, long atMs) {
        return db.inTransaction(c -> {
            Optional<EnrolmentRecord> e = enrolment(c, deviceId);
            if (e.isEmpty() || e.get().state() != from) {
                return Optional.empty();
            }
            EnrolmentRecord decided = e.get().decided(to, e.get().labels(), reason, atMs);
            return update(c, decided, from) ? Optional.of(decided) : Optional.empty();
        });
    }

    private static boolean update(Connection c, EnrolmentRecord e, EnrolmentState from) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE enrolments SET status = ?, labels = ?, reason = ?, "
                + "decided_ms = ? WHERE device_id = ? AND status = ?")) {
            ps.setString(1, e.state().name());
            ps.setString(2, new JsonArray(new ArrayList<>(e.labels())).encode());
            ps.setString(3, e.reason());
            setLong(ps, 4, e.decidedMs());
            ps.setString(5, e.deviceId());
            ps.setString(6, from.name());
            return ps.executeUpdate() == 1;
        }
    }

    private static Optional<TokenRecord> token(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + TOKEN_COLUMNS + " FROM enrolment_tokens WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(token(rs)) : Optional.empty();
            }
        }
    }

    private static Optional<EnrolmentRecord> enrolment(Connection c, String deviceId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + ENROLMENT_COLUMNS
                + " FROM enrolments WHERE device_id = ?")) {
            ps.setString(1, deviceId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(enrolment(rs)) : Optional.empty();
            }
        }
    }

    private static TokenRecord token(ResultSet rs) throws SQLException {
        Map<String, String> labels = new LinkedHashMap<>();
        new JsonObject(rs.getString("labels")).forEach(e -> labels.put(e.getKey(), String.valueOf(e.getValue())));
        return new TokenRecord(rs.getString("id"), rs.getString("secret_sha256"), labels, nullableLong(rs, "expires_ms"),
                nullableInt(rs, "max_uses"), rs.getInt("uses"), rs.getBoolean("auto_accept"), rs.getLong("created_ms"),
                nullableLong(rs, "revoked_ms"));
    }

    private static EnrolmentRecord enrolment(ResultSet rs) throws SQLException {
        List<String> labels = new ArrayList<>();
        new JsonArray(rs.getString("labels")).forEach(o -> labels.add(String.valueOf(o)));
        return new EnrolmentRecord(rs.getString("device_id"), rs.getString("token_id"), rs.getString("request_id"),
                EnrolmentState.valueOf(rs.getString("status")), rs.getString("credential_hash"),
                rs.getString("agent_version"), rs.getString("hardware"), labels, rs.getString("reason"),
                rs.getLong("requested_ms"), nullableLong(rs, "decided_ms"));
    }
}
