package io.c2f.controller.job;

import static io.c2f.controller.store.NullableColumns.nullableLong;
import static io.c2f.controller.store.NullableColumns.setInt;
import static io.c2f.controller.store.NullableColumns.setLong;

import io.c2f.controller.store.Database;
import io.c2f.proto.v1.JobStatusUpdate;
import io.c2f.proto.v1.JobStep;
import io.vertx.core.Future;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code jobs} table. Terminal states are final: every update is conditional on the job
 * still being QUEUED or IN_PROGRESS, so a late or duplicated status (QoS 1 redelivery, a device
 * that re-runs a re-sent job) never changes an outcome already recorded.
 */
public final class JobRepository {
    /** The error code of a job a controller's timer ended (the device's own timeout says TIMEOUT). */
    public static final String CONTROLLER_TIMEOUT = "CONTROLLER_TIMEOUT";
    static final String COLUMNS = "id, rollout_id, wave_index, device_id, kind, bundle_id, previous_bundle_id, state, "
            + "step, progress, error_code, error_message, probe_psnr_db, probe_passed, step_timeout_ms, deadline_ms, "
            + "attempts, created_ms, sent_ms, started_ms, updated_ms, finished_ms";
    private static final String OPEN = "state IN ('QUEUED', 'IN_PROGRESS')";
    /**
     * A timeout decided by a controller's timer: the device's own word that it succeeded overrules it
     * (the device did switch, and a record saying otherwise would split the fleet).
     */
    private static final String OVERRULED = "state = 'TIMED_OUT' AND error_code = '" + CONTROLLER_TIMEOUT + "'";

    private final Database db;

    public JobRepository(Database db) {
        this.db = db;
    }

    public Database database() {
        return db;
    }

    /** Inserts a job inside the caller's transaction. */
    public static void insert(Connection c, Job j) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO jobs (" + COLUMNS + ") VALUES "
                + "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            int i = 1;
            ps.setString(i++, j.id());
            ps.setString(i++, j.rolloutId());
            setInt(ps, i++, j.waveIndex());
            ps.setString(i++, j.deviceId());
            ps.setString(i++, j.kind().name());
            ps.setString(i++, j.bundleId());
            ps.setString(i++, j.previousBundleId());
            ps.setString(i++, j.state().name());
            ps.setString(i++, j.step());
            ps.setInt(i++, j.progress());
            ps.setString(i++, j.errorCode());
            ps.setString(i++, j.errorMessage());
            setDouble(ps, i++, j.probePsnrDb());
            if (j.probePassed() == null) {
                ps.setNull(i++, Types.BOOLEAN);
            } else {
                ps.setBoolean(i++, j.probePassed());
            }
            ps.setLong(i++, j.stepTimeoutMs());
            ps.setLong(i++, j.deadlineMs());
            ps.setInt(i++, j.attempts());
            ps.setLong(i++, j.createdMs());
            setLong(ps, i++, j.sentMs());
            setLong(ps, i++, j.startedMs());
            ps.setLong(i++, j.updatedMs());
            setLong(ps, i, j.finishedMs());
            ps.executeUpdate();
        }
    }

    /** Whether the device has a job, in any state, for this bundle (it may then download it). */
    /**
     * Whether the device has an open (queued or in-progress) job for the bundle: only then may it
     * fetch the bundle's chunks. A finished, rejected or canceled job no longer entitles it to them.
     */
    public Future<Boolean> hasActiveJob(String deviceId, String bundleId) {
        return db.execute(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM jobs WHERE device_id = ? AND bundle_id = ? "
                    + "AND " + OPEN + " LIMIT 1")) {
                ps.setString(1, deviceId);
                ps.setString(2, bundleId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    /**
     * Records a device's status of one of its open jobs (or its success of a job a controller's timer
     * had given up on).
     *
     * @return the job after the update; empty when the job is unknown, not the device's, or already final
     */
    public Future<Optional<Job>> applyStatus(String deviceId, JobStatusUpdate u, JobStatus state, long nowMs) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE jobs SET state = ?, step = ?, progress = ?, "
                    + "error_code = ?, error_message = ?, probe_psnr_db = COALESCE(?, probe_psnr_db), "
                    + "probe_passed = COALESCE(?, probe_passed), started_ms = COALESCE(started_ms, ?), updated_ms = ?, "
                    + "finished_ms = ? WHERE id = ? AND device_id = ? AND (" + OPEN + " OR (" + OVERRULED + " AND ? = 'SUCCEEDED'))")) {
                int i = 1;
                ps.setString(i++, state.name());
                ps.setString(i++, u.getStep() == JobStep.JOB_STEP_UNSPECIFIED ? null
                        : u.getStep().name().substring("JOB_STEP_".length()));
                ps.setInt(i++, (int) Math.min(100, u.getProgressPercent()));
                ps.setString(i++, u.hasError() ? u.getError().getCode().name().replace("ERROR_CODE_", "") : null);
                ps.setString(i++, u.hasError() ? u.getError().getMessage() : null);
                if (u.hasProbe() && !Double.isNaN(u.getProbe().getPsnrDb())) {
                    // +Infinity (a probe without reference) is stored as a large finite value
                    ps.setDouble(i++, Math.min(u.getProbe().getPsnrDb(), 999.0));
                    ps.setBoolean(i++, u.getProbe().getPassed());
                } else {
                    ps.setNull(i++, Types.DOUBLE);
                    ps.setNull(i++, Types.BOOLEAN);
                }
                ps.setLong(i++, nowMs);
                ps.setLong(i++, nowMs);
                setLong(ps, i++, state.terminal() ? nowMs : null);
                ps.setString(i++, u.getJobId());
                ps.setString(i++, deviceId);
                ps.setString(i, state.name());
                if (ps.executeUpdate() == 0) {
                    return Optional.<Job>empty();
                }
            }
            return find(c, u.getJobId());
        });
    }

    /** Marks an open job sent now (once more). */
    public Future<Void> markSent(String jobId, long nowMs) {
        return db.execute(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE jobs SET sent_ms = ?, attempts = attempts + 1 "
                    + "WHERE id = ? AND " + OPEN)) {
                ps.setLong(1, nowMs);
                ps.setString(2, jobId);
                ps.executeUpdate();
                return null;
            }
        });
    }

    /**
     * Ends an open job on the controller's side (TIMED_OUT, CANCELED).
     *
     * @return whether it was still open
     */
    public static boolean end(Connection c, String jobId, JobStatus state, String errorCode, String message, long nowMs)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE jobs SET state = ?, error_code = ?, error_message = ?, "
                + "updated_ms = ?, finished_ms = ? WHERE id = ? AND " + OPEN)) {
            ps.setString(1, state.name());
            ps.setString(2, errorCode);
            ps.setString(3, message);
            ps.setLong(4, nowMs);
            ps.setLong(5, nowMs);
            ps.setString(6, jobId);
            return ps.executeUpdate() == 1;
        }
    }

    /**
     * Records, on the device's own word (a birth after the job was created that reports the job's
     * bundle active), that an open job or one a controller's timer ended succeeded.
     *
     * @return whether the job changed
     */
    public static boolean settleFromDevice(Connection c, String jobId, String why, long nowMs) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE jobs SET state = 'SUCCEEDED', step = 'ACTIVATING', "
                + "progress = 100, error_code = NULL, error_message = ?, updated_ms = ?, finished_ms = ? "
                + "WHERE id = ? AND (" + OPEN + " OR " + OVERRULED + ")")) {
            ps.setString(1, why);
            ps.setLong(2, nowMs);
            ps.setLong(3, nowMs);
            ps.setString(4, jobId);
            return ps.executeUpdate() == 1;
        }
    }

    /**
     * Gives a rollout's open jobs back the time no controller drove it (a crash and restart): the
     * deadline moves by that much and the step timer starts again, since the device could not be
     * heard meanwhile.
     *
     * @return how many jobs were open
     */
    public static int extendOpen(Connection c, String rolloutId, long undrivenMs, long nowMs) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE jobs SET deadline_ms = deadline_ms + ?, "
                + "updated_ms = ? WHERE rollout_id = ? AND " + OPEN)) {
            ps.setLong(1, undrivenMs);
            ps.setLong(2, nowMs);
            ps.setString(3, rolloutId);
            return ps.executeUpdate();
        }
    }

    public Future<List<Job>> ofRollout(String rolloutId) {
        return db.execute(c -> ofRollout(c, rolloutId));
    }

    public static List<Job> ofRollout(Connection c, String rolloutId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                + " FROM jobs WHERE rollout_id = ? ORDER BY created_ms, device_id, id")) {
            ps.setString(1, rolloutId);
            return readAll(ps);
        }
    }

    /** Open jobs of a device, oldest first. */
    public Future<List<Job>> openOfDevice(String deviceId) {
        return db.execute(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                    + " FROM jobs WHERE device_id = ? AND " + OPEN + " ORDER BY created_ms, id")) {
                ps.setString(1, deviceId);
                return readAll(ps);
            }
        });
    }

    /**
     * Adds what was sent to devices (by device id, then bundle id) to the newest job of each
     * device for that bundle: the one that entitled it to the chunks (a job may have ended since).
     * One transaction; rows without such a job are skipped.
     */
    public Future<Void> addDelivered(Map<String, Map<String, Delivered>> sent) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE jobs SET chunks_sent = chunks_sent + ?, "
                    + "bytes_sent = bytes_sent + ? WHERE id = (SELECT id FROM jobs WHERE device_id = ? AND bundle_id = ? "
                    + "ORDER BY created_ms DESC, id DESC LIMIT 1)")) {
                for (var device : sent.entrySet()) {
                    for (var bundle : device.getValue().entrySet()) {
                        ps.setLong(1, bundle.getValue().chunks());
                        ps.setLong(2, bundle.getValue().bytes());
                        ps.setString(3, device.getKey());
                        ps.setString(4, bundle.getKey());
                        ps.addBatch();
                    }
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    /** What was sent for each job of a rollout, by job id, with the size of the job's bundle payload. */
    public static Map<String, Delivered> deliveredOfRollout(Connection c, String rolloutId) throws SQLException {
        Map<String, Delivered> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT j.id, j.chunks_sent, j.bytes_sent, b.payload_size "
                + "FROM jobs j JOIN bundles b ON b.id = j.bundle_id WHERE j.rollout_id = ?")) {
            ps.setString(1, rolloutId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), new Delivered(rs.getLong(2), rs.getLong(3), rs.getLong(4)));
                }
            }
        }
        return out;
    }

    public Future<Optional<Job>> find(String jobId) {
        return db.execute(c -> find(c, jobId));
    }

    private static Optional<Job> find(Connection c, String jobId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM jobs WHERE id = ?")) {
            ps.setString(1, jobId);
            List<Job> all = readAll(ps);
            return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
        }
    }

    private static List<Job> readAll(PreparedStatement ps) throws SQLException {
        List<Job> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(read(rs));
            }
        }
        return out;
    }

    private static Job read(ResultSet rs) throws SQLException {
        int wave = rs.getInt("wave_index");
        Integer waveIndex = rs.wasNull() ? null : wave;
        double psnr = rs.getDouble("probe_psnr_db");
        Double probePsnr = rs.wasNull() ? null : psnr;
        boolean passed = rs.getBoolean("probe_passed");
        Boolean probePassed = rs.wasNull() ? null : passed;
        return new Job(rs.getString("id"), rs.getString("rollout_id"), waveIndex, rs.getString("device_id"),
                JobKind.valueOf(rs.getString("kind")), rs.getString("bundle_id"), rs.getString("previous_bundle_id"),
                JobStatus.valueOf(rs.getString("state")), rs.getString("step"), rs.getInt("progress"),
                rs.getString("error_code"), rs.getString("error_message"), probePsnr, probePassed,
                rs.getLong("step_timeout_ms"), rs.getLong("deadline_ms"), rs.getInt("attempts"),
                rs.getLong("created_ms"), nullableLong(rs, "sent_ms"), nullableLong(rs, "started_ms"),
                rs.getLong("updated_ms"), nullableLong(rs, "finished_ms"));
    }

    private static void setDouble(PreparedStatement ps, int i, Double v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.DOUBLE);
        } else {
            ps.setDouble(i, v);
        }
    }
}
