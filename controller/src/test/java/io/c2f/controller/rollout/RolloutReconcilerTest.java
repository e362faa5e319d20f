package io.c2f.controller.rollout;

import static io.c2f.controller.testing.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.controller.job.Job;
import io.c2f.controller.job.JobKind;
import io.c2f.controller.job.JobRepository;
import io.c2f.controller.job.JobStatus;
import io.c2f.controller.store.Database;
import io.c2f.controller.testing.TestControllers;
import io.c2f.proto.v1.JobState;
import io.c2f.proto.v1.JobStatusUpdate;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a controller that comes back after a crash makes of a rollout's rows (the embedded database,
 * the reconciler's steps as the driver runs them): the device's own word decides a job's outcome,
 * downtime is not held against devices, and a late success after an abort is rolled back.
 */
class RolloutReconcilerTest {
    private static final RolloutSettings SETTINGS = new RolloutSettings(1000, 15_000, 30_000, 32);
    private static final String V1 = "synthetic-1.0.0";
    private static final String V2 = "synthetic-2.0.0";
    private static final long JOB_MS = 60_000;

    @TempDir
    Path dir;
    private Vertx vertx;
    private Database db;

    @BeforeEach
    void open() throws Exception {
        vertx = Vertx.vertx();
        db = result(vertx.executeBlocking(() -> Database.open(vertx, TestControllers.localConfig(dir))));
    }

    @AfterEach
    void close() throws Exception {
        db.close();
        result(vertx.close());
    }

    @Test
    void aJobWhoseDeviceReportsTheBundleInABirthAfterItIsSucceededNotTimedOut() throws Exception {
        String r = rollout(0, "d1", "d2");
        long t0 = 1_000_000;
        Job j1 = job(r, "d1", JobKind.INSTALL, V2, V1, t0);
        Job j2 = job(r, "d2", JobKind.INSTALL, V2, V1, t0);
        sent(j1, t0);
        sent(j2, t0);
        // after a crash: d1 was born again with v2 active; d2 still runs v1 (its birth says so)
        device("d1", V2, t0 + 5_000);
        device("d2", V1, t0 + 5_000);

        long late = t0 + JOB_MS + 1; // both past their deadline
        reconcile(r, late);
        Job d1 = find(r, "d1", JobKind.INSTALL);
        assertEquals(JobStatus.SUCCEEDED, d1.state(), "the device says it runs the bundle: " + d1);
        assertEquals(JobStatus.TIMED_OUT, find(r, "d2", JobKind.INSTALL).state());
        assertEquals(JobRepository.CONTROLLER_TIMEOUT, find(r, "d2", JobKind.INSTALL).errorCode());
    }

    @Test
    void aBirthBeforeTheDeadlineLeavesTheJobToTheDevicesOwnStatusAndItsProbe() throws Exception {
        String r = rollout(0, "d1");
        long t0 = 1_000_000;
        Job j = job(r, "d1", JobKind.INSTALL, V2, V1, t0);
        sent(j, t0);
        device("d1", V2, t0 + 100); // activated; its final status (with the probe result) is on its way
        reconcile(r, t0 + 200);
        assertEquals(JobStatus.QUEUED, find(r, "d1", JobKind.INSTALL).state());
        JobStatusUpdate withProbe = success(j).toBuilder().setProbe(io.c2f.proto.v1.QualityProbe.newBuilder()
                .setPsnrDb(12.5).setPassed(true)).build();
        assertTrue(result(new JobRepository(db).applyStatus("d1", withProbe, JobStatus.SUCCEEDED, t0 + 300))
                .isPresent());
        assertEquals(12.5, find(r, "d1", JobKind.INSTALL).probePsnrDb(), "the probe result counts for the abort rule");
    }

    @Test
    void aBirthFromBeforeTheJobSettlesNothing() throws Exception {
        String r = rollout(0, "d1");
        long t0 = 1_000_000;
        job(r, "d1", JobKind.INSTALL, V2, V1, t0);
        device("d1", V2, t0 - 1); // an old birth: not evidence about this job
        reconcile(r, t0 + JOB_MS + 1);
        assertEquals(JobStatus.TIMED_OUT, find(r, "d1", JobKind.INSTALL).state());
    }

    @Test
    void aDevicesSuccessOverrulesTheControllersTimeoutButNotItsOwn() throws Exception {
        String r = rollout(0, "d1", "d2");
        long t0 = 1_000_000;
        Job j1 = job(r, "d1", JobKind.INSTALL, V2, V1, t0);
        Job j2 = job(r, "d2", JobKind.INSTALL, V2, V1, t0);
        device("d1", V1, t0 - 1);
        device("d2", V1, t0 - 1);
        reconcile(r, t0 + JOB_MS + 1); // the controller's timer gives up on both
        JobRepository jobs = new JobRepository(db);
        // d2 timed out on its own before; its word stays final
        result(db.execute(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE jobs SET error_code = 'TIMEOUT' WHERE id = ?")) {
                ps.setString(1, j2.id());
                ps.executeUpdate();
            }
            return null;
        }));
        assertTrue(result(jobs.applyStatus("d1", success(j1), JobStatus.SUCCEEDED, t0 + JOB_MS + 5)).isPresent());
        assertTrue(result(jobs.applyStatus("d2", success(j2), JobStatus.SUCCEEDED, t0 + JOB_MS + 5)).isEmpty());
        assertEquals(JobStatus.SUCCEEDED, find(r, "d1", JobKind.INSTALL).state());
        assertEquals(JobStatus.TIMED_OUT, find(r, "d2", JobKind.INSTALL).state());
        // and a failure never overrules a recorded outcome
        assertTrue(result(jobs.applyStatus("d1", JobStatusUpdate.newBuilder().setJobId(j1.id())
                .setState(JobState.JOB_STATE_FAILED).build(), JobStatus.FAILED, t0 + JOB_MS + 6)).isEmpty());
    }

    @Test
    void aTakeOverGivesOpenJobsBackTheTimeNobodyDroveTheRollout() throws Exception {
        String r = rollout(0, "d1");
        long t0 = 1_000_000;
        Job j = job(r, "d1", JobKind.INSTALL, V2, V1, t0);
        sent(j, t0);
        device("d1", V1, t0 - 1);
        long downtime = 5 * JOB_MS; // the controller was down far longer than the job's timeout
        RolloutRepository repo = new RolloutRepository(db);
        result(repo.lease("lab", "ctl", t0, SETTINGS.leaseMs()));
        long back = t0 + downtime;
        List<RolloutRepository.Lease> leases = result(repo.lease("lab", "ctl", back, SETTINGS.leaseMs()));
        assertEquals(1, leases.size());
        long undriven = back - leases.get(0).lastDrivenMs();
        assertTrue(undriven >= downtime && undriven <= downtime + SETTINGS.leaseMs(), "undriven " + undriven);
        result(db.inTransaction(c -> JobRepository.extendOpen(c, r, undriven, back)));

        reconcile(r, back + 10);
        Job after = find(r, "d1", JobKind.INSTALL);
        assertEquals(JobStatus.QUEUED, after.state(), "not timed out for the controller's downtime: " + after);
        assertEquals(j.deadlineMs() + undriven, after.deadlineMs());
        reconcile(r, after.deadlineMs() + 1);
        assertEquals(JobStatus.TIMED_OUT, find(r, "d1", JobKind.INSTALL).state(), "driven time still counts");
    }

    @Test
    void aCleanReleaseHandsOverWithItsOwnTime() throws Exception {
        String r = rollout(0, "d1");
        RolloutRepository repo = new RolloutRepository(db);
        result(repo.lease("lab", "ctl-a", 1_000, SETTINGS.leaseMs()));
        result(repo.release("ctl-a", 2_000));
        List<RolloutRepository.Lease> taken = result(repo.lease("lab", "ctl-b", 2_500, SETTINGS.leaseMs()));
        assertEquals(List.of(new RolloutRepository.Lease(r, 2_000)), taken, "taken at once, undriven since the release");
    }

    @Test
    void aDeviceThatSwitchedAfterTheAbortWasWrappedUpReopensTheRolloutAndIsRolledBack() throws Exception {
        String r = rollout(0, "d1");
        long t0 = 1_000_000;
        bundle(V1);
        Job j = job(r, "d1", JobKind.INSTALL, V2, V1, t0);
        sent(j, t0);
        device("d1", V1, t0 - 1);
        reconcile(r, t0 + JOB_MS + 1); // timed out: 1 of 1 failed, the rollout aborts, nothing to roll back
        reconcile(r, t0 + JOB_MS + 2);
        assertEquals(RolloutState.ABORTED, state(r));
        assertFalse(reopen(r, t0 + JOB_MS + 3), "nothing switched yet: stays ABORTED");

        // the device was only slow: its birth now says it runs v2
        device("d1", V2, t0 + JOB_MS + 10);
        assertTrue(reopen(r, t0 + JOB_MS + 20));
        assertEquals(RolloutState.ABORTING, state(r));
        List<Job> toSend = reconcile(r, t0 + JOB_MS + 30);
        Job rollback = find(r, "d1", JobKind.ROLLBACK);
        assertEquals(V1, rollback.bundleId());
        assertEquals(List.of(rollback.id()), toSend.stream().map(Job::id).toList());
        // the rollback succeeds: ABORTED, and the fleet is whole
        assertTrue(result(new JobRepository(db).applyStatus("d1", success(rollback), JobStatus.SUCCEEDED,
                t0 + JOB_MS + 40)).isPresent());
        device("d1", V1, t0 + JOB_MS + 45);
        reconcile(r, t0 + JOB_MS + 50);
        assertEquals(RolloutState.ABORTED, state(r));
        assertEquals(JobStatus.SUCCEEDED, find(r, "d1", JobKind.ROLLBACK).state());
        assertFalse(reopen(r, t0 + JOB_MS + 60));
    }

    private String rollout(int wave, String... devices) throws Exception {
        String id = "r-test";
        RolloutSpec spec = RolloutSpec.fromJson(new JsonObject().put("bundleId", V2)
                .put("target", new JsonObject().put("devices", new io.vertx.core.json.JsonArray(List.of(devices))))
                .put("timeouts", new JsonObject().put("jobMs", JOB_MS).put("stepMs", JOB_MS)));
        bundle(V2);
        result(db.inTransaction(c -> {
            RolloutRepository.insert(c, new Rollout(id, "lab", V2, spec, RolloutState.RUNNING, wave, null, 0, 0, null,
                    "ctl", 0), List.of(new Wave(id, 0, "RUNNING", List.of(devices), 0L, null)));
            return null;
        }));
        return id;
    }

    private Job job(String rollout, String device, JobKind kind, String bundle, String previous, long at)
            throws Exception {
        Job j = Job.queued(RolloutReconciler.newJobId(), rollout, kind == JobKind.INSTALL ? 0 : null, device, kind,
                bundle, previous, JOB_MS, at + JOB_MS, at);
        result(db.inTransaction(c -> {
            JobRepository.insert(c, j);
            return null;
        }));
        return j;
    }

    private void sent(Job j, long at) throws Exception {
        result(new JobRepository(db).markSent(j.id(), at));
    }

    /** The registry's row as a birth at {@code birthMs} with this active bundle leaves it. */
    private void device(String id, String bundle, long birthMs) throws Exception {
        result(db.execute(c -> {
            try (PreparedStatement del = c.prepareStatement("DELETE FROM devices WHERE id = ?")) {
                del.setString(1, id);
                del.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO devices (id, fleet, labels, bundle_id, bd_seq, "
                    + "status, first_seen_ms, last_seen_ms, last_birth_ms) VALUES (?, 'lab', '[]', ?, 1, 'ONLINE', ?, ?, ?)")) {
                ps.setString(1, id);
                ps.setString(2, bundle);
                ps.setLong(3, birthMs);
                ps.setLong(4, birthMs);
                ps.setLong(5, birthMs);
                ps.executeUpdate();
            }
            return null;
        }));
    }

    private void bundle(String id) throws Exception {
        result(db.execute(c -> {
            insertBundle(c, id);
            return null;
        }));
    }

    private static void insertBundle(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO bundles (id, name, version, model_sha256, "
                + "payload_sha256, payload_size, chunk_size, chunk_count, signed_manifest, key_id, created_ms) "
                + "SELECT ?, 'synthetic', ?, 'aa', 'bb', 1, 1, 1, X'00', 'k', 0 WHERE NOT EXISTS "
                + "(SELECT 1 FROM bundles WHERE id = ?)")) {
            ps.setString(1, id);
            ps.setString(2, id.substring(id.lastIndexOf('-') + 1));
            ps.setString(3, id);
            ps.executeUpdate();
        }
    }

    private List<Job> reconcile(String rollout, long now) throws Exception {
        return result(db.inTransaction(c -> RolloutReconciler.reconcile(c, rollout, now, SETTINGS)));
    }

    private boolean reopen(String rollout, long now) throws Exception {
        Boolean reopened = result(db.inTransaction(c -> RolloutReconciler.reopenIfSplit(c, rollout, now)));
        return reopened;
    }

    private RolloutState state(String rollout) throws Exception {
        return result(db.execute(c -> RolloutRepository.find(c, rollout).orElseThrow().state()));
    }

    private Job find(String rollout, String device, JobKind kind) throws Exception {
        return result(db.execute(c -> JobRepository.ofRollout(c, rollout))).stream()
                .filter(j -> j.deviceId().equals(device) && j.kind() == kind).findFirst().orElseThrow();
    }

    private static JobStatusUpdate success(Job j) {
        return JobStatusUpdate.newBuilder().setJobId(j.id()).setState(JobState.JOB_STATE_SUCCEEDED).build();
    }
}
