package io.c2f.controller.rollout;

import io.c2f.controller.job.Job;
import io.c2f.controller.job.JobKind;
import io.c2f.controller.job.JobRepository;
import io.c2f.controller.job.JobStatus;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * One step of a rollout, computed from the database alone (so a restarted or another controller
 * continues exactly where the last one stopped): time out overdue jobs, abort when a threshold
 * is crossed, close a finished wave and start the next, cancel and roll back after an abort,
 * and pick the jobs to send. Runs inside one transaction; idempotent.
 */
final class RolloutReconciler {
    private RolloutReconciler() {
    }

    /** @return the jobs to publish now (unsent or overdue for a resend, device online) */
    static List<Job> reconcile(Connection c, String id, long now, RolloutSettings settings) throws SQLException {
        Optional<Rollout> found = RolloutRepository.find(c, id);
        if (found.isEmpty() || !found.get().state().active()) {
            return List.of();
        }
        Rollout r = found.get();
        RolloutSpec spec = r.spec();
        List<Wave> waves = RolloutRepository.waves(c, id);
        List<Job> jobs = JobRepository.ofRollout(c, id);
        Map<String, DeviceFacts> devices = RolloutRepository.devices(c, r.fleet());
        // the devices' own word first: a job is not timed out while its device says it is done
        if (settleFromDevices(c, id, jobs, devices, now) | timeOut(c, id, jobs, devices, now)) {
            jobs = JobRepository.ofRollout(c, id);
        }
        RolloutState state = r.state();
        if (state == RolloutState.RUNNING || state == RolloutState.PAUSED) {
            String reason = abortReason(spec, jobs);
            if (reason != null && abort(c, id, reason, now)) {
                state = RolloutState.ABORTING;
            }
        }
        if (state == RolloutState.RUNNING && r.currentWave() < waves.size()) {
            Wave wave = waves.get(r.currentWave());
            if (wave.state().equals("PENDING")) {
                startWave(c, r, wave, devices, now);
            } else if (wave.state().equals("RUNNING")) {
                List<Job> ofWave = jobs.stream().filter(j -> j.kind() == JobKind.INSTALL
                        && Integer.valueOf(wave.index()).equals(j.waveIndex())).toList();
                if (!ofWave.isEmpty() && ofWave.stream().allMatch(j -> j.state().terminal())) {
                    long ok = ofWave.stream().filter(j -> j.state() == JobStatus.SUCCEEDED && !failed(spec, j)).count();
                    double percent = 100.0 * ok / ofWave.size();
                    if (percent < spec.waves().minSuccessPercent()) {
                        RolloutRepository.setWaveState(c, id, wave.index(), "RUNNING", "FAILED", now);
                        String reason = String.format(Locale.ROOT, "wave %d: %d of %d devices succeeded (%.0f%%), "
                                + "below the minimum of %.0f%%", wave.index(), ok, ofWave.size(), percent,
                                spec.waves().minSuccessPercent());
                        if (abort(c, id, reason, now)) {
                            state = RolloutState.ABORTING;
                        }
                    } else {
                        RolloutRepository.setWaveState(c, id, wave.index(), "RUNNING", "SUCCEEDED", now);
                        RolloutRepository.event(c, id, "WAVE_SUCCEEDED", "wave " + wave.index() + ": " + ok + " of "
                                + ofWave.size() + " devices succeeded", now);
                        if (wave.index() + 1 < waves.size()) {
                            RolloutRepository.setCurrentWave(c, id, wave.index() + 1, now);
                            startWave(c, r, waves.get(wave.index() + 1), devices, now);
                        } else {
                            RolloutRepository.transition(c, id, List.of(RolloutState.RUNNING), RolloutState.SUCCEEDED,
                                    null, now);
                            RolloutRepository.event(c, id, "SUCCEEDED", "all " + waves.size() + " waves succeeded",
                                    now);
                            return List.of();
                        }
                    }
                }
            }
            jobs = JobRepository.ofRollout(c, id);
        }
        if (state == RolloutState.ABORTING) {
            jobs = wrapUpAbort(c, r, waves, jobs, now);
            if (jobs.stream().allMatch(j -> j.state().terminal())) {
                RolloutRepository.transition(c, id, List.of(RolloutState.ABORTING), RolloutState.ABORTED, null, now);
                long rolledBack = jobs.stream().filter(j -> j.kind() == JobKind.ROLLBACK
                        && j.state() == JobStatus.SUCCEEDED).count();
                RolloutRepository.event(c, id, "ABORTED", "aborted; " + rolledBack + " devices rolled back", now);
                return List.of();
            }
        }
        List<Job> send = new ArrayList<>();
        for (Job j : jobs) {
            DeviceFacts d = devices.get(j.deviceId());
            if (j.state() != JobStatus.QUEUED || d == null || !d.online()) {
                continue;
            }
            boolean allowed = state == RolloutState.RUNNING || j.sentMs() != null
                    || (state == RolloutState.ABORTING && j.kind() == JobKind.ROLLBACK);
            if (allowed && (j.sentMs() == null || now - j.sentMs() >= settings.resendMs())) {
                send.add(j);
            }
        }
        return send;
    }

    /**
     * Reopens an ABORTED rollout (to ABORTING, which rolls back again) when one of its devices turns
     * out to have switched to the bundle after the abort was wrapped up: its success arrived late,
     * or its birth says so. Without this, that device would stay on the bundle the rollout gave up on.
     *
     * @return whether the rollout was reopened
     */
    static boolean reopenIfSplit(Connection c, String id, long now) throws SQLException {
        Optional<Rollout> found = RolloutRepository.find(c, id);
        if (found.isEmpty() || found.get().state() != RolloutState.ABORTED) {
            return false;
        }
        Rollout r = found.get();
        List<Job> jobs = JobRepository.ofRollout(c, id);
        if (settleFromDevices(c, id, jobs, RolloutRepository.devices(c, r.fleet()), now)) {
            jobs = JobRepository.ofRollout(c, id);
        }
        Set<String> rolledBack = new HashSet<>();
        jobs.stream().filter(j -> j.kind() == JobKind.ROLLBACK).forEach(j -> rolledBack.add(j.deviceId()));
        List<String> split = jobs.stream().filter(j -> j.kind() == JobKind.INSTALL && j.state() == JobStatus.SUCCEEDED
                && !rolledBack.contains(j.deviceId()) && j.finishedMs() != null && r.finishedMs() != null
                && j.finishedMs() >= r.finishedMs()).map(Job::deviceId).toList();
        if (split.isEmpty() || !RolloutRepository.transition(c, id, List.of(RolloutState.ABORTED),
                RolloutState.ABORTING, null, now)) {
            return false;
        }
        RolloutRepository.event(c, id, "REOPENED", "after the abort, " + abbreviate(split) + " reported "
                + r.bundleId() + " active: rolling back again", now);
        return true;
    }

    /** A finished install job that counts against the rollout. */
    static boolean failed(RolloutSpec spec, Job j) {
        return switch (j.state()) {
            case FAILED, TIMED_OUT, REJECTED -> true;
            case SUCCEEDED -> !Double.isNaN(spec.abort().minProbePsnrDb()) && j.probePsnrDb() != null
                    && j.probePsnrDb() < spec.abort().minProbePsnrDb();
            default -> false;
        };
    }

    static String abortReason(RolloutSpec spec, List<Job> jobs) {
        List<Job> finished = jobs.stream().filter(j -> j.kind() == JobKind.INSTALL && j.state().terminal()
                && j.state() != JobStatus.CANCELED).toList();
        List<Job> failed = finished.stream().filter(j -> failed(spec, j)).toList();
        if (finished.size() < spec.abort().minFinished() || failed.isEmpty()
                || failed.size() * 100.0 <= spec.abort().maxFailurePercent() * finished.size()) {
            return null;
        }
        Job first = failed.get(0);
        String why = first.state() == JobStatus.SUCCEEDED
                ? String.format(Locale.ROOT, "probe PSNR %.2f dB is below the rollout's minimum %.2f dB",
                        first.probePsnrDb(), spec.abort().minProbePsnrDb())
                : first.state() + (first.errorMessage() == null ? "" : ": " + first.errorMessage());
        return String.format(Locale.ROOT, "%d of %d finished jobs failed (%.0f%% > %.0f%%); first: %s: %s",
                failed.size(), finished.size(), 100.0 * failed.size() / finished.size(),
                spec.abort().maxFailurePercent(), first.deviceId(), why);
    }

    private static boolean abort(Connection c, String id, String reason, long now) throws SQLException {
        boolean moved = RolloutRepository.transition(c, id, List.of(RolloutState.RUNNING, RolloutState.PAUSED),
                RolloutState.ABORTING, reason, now);
        if (moved) {
            RolloutRepository.event(c, id, "ABORTING", reason, now);
        }
        return moved;
    }

    /**
     * A job whose device reported the job's bundle active in a birth after the job was created is
     * counted SUCCEEDED, though its final status never arrived (lost in a controller crash), rather
     * than timed out; and one a controller's timer already ended is corrected the same way when such a
     * birth comes later. The device did switch, and the record must say so. A job not yet due keeps
     * waiting for the device's own final status, which carries its probe result.
     */
    static boolean settleFromDevices(Connection c, String rolloutId, List<Job> jobs, Map<String, DeviceFacts> devices,
            long now) throws SQLException {
        boolean changed = false;
        for (Job j : jobs) {
            boolean timedOutByUs = j.state() == JobStatus.TIMED_OUT
                    && JobRepository.CONTROLLER_TIMEOUT.equals(j.errorCode());
            if (timedOutByUs && reportsActive(devices, j)) {
                changed |= settle(c, rolloutId, j, now);
            }
        }
        return changed;
    }

    private static boolean reportsActive(Map<String, DeviceFacts> devices, Job j) {
        DeviceFacts d = devices.get(j.deviceId());
        return d != null && d.reportsActiveSince(j.bundleId(), j.createdMs());
    }

    private static boolean settle(Connection c, String rolloutId, Job j, long now) throws SQLException {
        String why = "no final status received; the device reported " + j.bundleId() + " active in its birth";
        if (!JobRepository.settleFromDevice(c, j.id(), why, now)) {
            return false;
        }
        RolloutRepository.event(c, rolloutId, "JOB_SETTLED", j.deviceId() + ": " + j.kind() + " job " + j.id()
                + " counted SUCCEEDED (was " + j.state() + "): " + why, now);
        return true;
    }

    /** Ends the overdue open jobs: SUCCEEDED when their device's birth says so, else TIMED_OUT. */
    private static boolean timeOut(Connection c, String rolloutId, List<Job> jobs, Map<String, DeviceFacts> devices,
            long now) throws SQLException {
        boolean changed = false;
        for (Job j : jobs) {
            if (j.state().terminal()) {
                continue;
            }
            boolean overdue = now > j.deadlineMs();
            boolean stalled = j.state() == JobStatus.IN_PROGRESS && now - j.updatedMs() > j.stepTimeoutMs();
            if ((overdue || stalled) && reportsActive(devices, j)) {
                changed |= settle(c, rolloutId, j, now);
            } else if (overdue) {
                changed |= JobRepository.end(c, j.id(), JobStatus.TIMED_OUT, JobRepository.CONTROLLER_TIMEOUT,
                        "no final status within the "
                        + "job timeout of " + (j.deadlineMs() - j.createdMs()) + " ms (controller's timer; device "
                        + (j.sentMs() == null ? "was never reached)" : "last reported " + j.state() + ")"), now);
            } else if (stalled) {
                changed |= JobRepository.end(c, j.id(), JobStatus.TIMED_OUT, JobRepository.CONTROLLER_TIMEOUT,
                        "no progress for "
                        + j.stepTimeoutMs() + " ms in step " + j.step() + " (controller's step timer)", now);
            }
        }
        return changed;
    }

    private static void startWave(Connection c, Rollout r, Wave wave, Map<String, DeviceFacts> devices, long now)
            throws SQLException {
        if (!RolloutRepository.setWaveState(c, r.id(), wave.index(), "PENDING", "RUNNING", now)) {
            return;
        }
        for (String d : wave.devices()) {
            DeviceFacts facts = devices.get(d);
            String previous = facts == null ? null : facts.bundleId();
            JobRepository.insert(c, Job.queued(newJobId(), r.id(), wave.index(), d, JobKind.INSTALL, r.bundleId(),
                    previous, r.spec().stepTimeoutMs(), now + r.spec().jobTimeoutMs(), now));
        }
        RolloutRepository.event(c, r.id(), "WAVE_STARTED", "wave " + wave.index() + " started: "
                + wave.devices().size() + " devices " + abbreviate(wave.devices()), now, wave.index());
    }

    /** Cancels what was not sent, closes the waves, and gives each device that switched its previous bundle back. */
    private static List<Job> wrapUpAbort(Connection c, Rollout r, List<Wave> waves, List<Job> jobs, long now)
            throws SQLException {
        boolean changed = false;
        for (Job j : jobs) {
            if (j.kind() == JobKind.INSTALL && j.state() == JobStatus.QUEUED && j.sentMs() == null) {
                changed |= JobRepository.end(c, j.id(), JobStatus.CANCELED, null, "rollout aborted before the job "
                        + "was sent", now);
            }
        }
        for (Wave w : waves) {
            if (w.state().equals("PENDING")) {
                RolloutRepository.setWaveState(c, r.id(), w.index(), "PENDING", "CANCELED", now);
            } else if (w.state().equals("RUNNING")) {
                RolloutRepository.setWaveState(c, r.id(), w.index(), "RUNNING", "FAILED", now);
            }
        }
        Set<String> rolledBack = new HashSet<>();
        for (Job j : jobs) {
            if (j.kind() == JobKind.ROLLBACK) {
                rolledBack.add(j.deviceId());
            }
        }
        for (Job j : jobs) {
            if (j.kind() != JobKind.INSTALL || j.state() != JobStatus.SUCCEEDED || rolledBack.contains(j.deviceId())) {
                continue;
            }
            rolledBack.add(j.deviceId());
            String previous = j.previousBundleId();
            if (previous == null || previous.equals(r.bundleId()) || !bundleExists(c, previous)) {
                RolloutRepository.event(c, r.id(), "NO_ROLLBACK", j.deviceId() + " keeps " + r.bundleId() + ": "
                        + (previous == null ? "it ran no bundle before" : previous.equals(r.bundleId())
                                ? "it already ran it before" : "its previous bundle " + previous
                                        + " is not known to this controller"), now);
                continue;
            }
            JobRepository.insert(c, Job.queued(newJobId(), r.id(), null, j.deviceId(), JobKind.ROLLBACK, previous,
                    r.bundleId(), r.spec().stepTimeoutMs(), now + r.spec().jobTimeoutMs(), now));
            RolloutRepository.event(c, r.id(), "ROLLBACK", j.deviceId() + " rolls back to " + previous, now);
            changed = true;
        }
        return changed ? JobRepository.ofRollout(c, r.id()) : jobs;
    }

    private static boolean bundleExists(Connection c, String bundleId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM bundles WHERE id = ?")) {
            ps.setString(1, bundleId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    static String newJobId() {
        return "j-" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
    }

    private static String abbreviate(List<String> ids) {
        return ids.size() <= 8 ? ids.toString() : ids.subList(0, 8) + " and " + (ids.size() - 8) + " more";
    }
}
