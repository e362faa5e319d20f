package io.c2f.agent.bundle;

import io.c2f.agent.link.LinkState;
import io.c2f.proto.bundle.BundlePayload;
import io.c2f.proto.bundle.BundleVerificationException;
import io.c2f.proto.bundle.ManifestSigning;
import io.c2f.proto.bundle.SemVer;
import io.c2f.proto.v1.BundleChunk;
import io.c2f.proto.v1.BundleManifest;
import io.c2f.proto.v1.ErrorCode;
import io.c2f.proto.v1.ErrorDetail;
import io.c2f.proto.v1.InstallBundle;
import io.c2f.proto.v1.JobState;
import io.c2f.proto.v1.JobStatusUpdate;
import io.c2f.proto.v1.JobStep;
import io.c2f.proto.v1.QualityProbe;
import java.io.IOException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one install-bundle job to its end state: verify the signed manifest, refuse downgrades and
 * agents that are too old, pull the missing chunks (resuming earlier progress), verify the
 * payload, write it into the inactive slot, warm up and probe it, and only then switch. Any
 * failure leaves the running slot untouched and is reported with its reason.
 *
 * <p>A download outlives broker outages: while the link is down it pauses (the job stays
 * IN_PROGRESS/DOWNLOADING, its timeout stops running), and once the link is back it reports its
 * progress again and asks for the chunks it still lacks. Pauses are bounded by a patience, summed
 * over the job, and each by the job's step timeout (see {@link JobClock}); past either the job
 * fails with the reason, and the chunks stored so far are kept.
 *
 * <p>Runs on a worker thread; {@link #onChunk} is called from the MQTT thread.
 */
public final class BundleInstaller {
    private static final Logger LOG = LoggerFactory.getLogger(BundleInstaller.class);
    /** Most chunks asked for in one request; more would flood a small device's inbound queue. */
    static final int REQUEST_WINDOW = 64;
    /** How often stored chunks may turn out damaged before assembly until the install gives up. */
    static final int MAX_ASSEMBLY_ATTEMPTS = 3;

    /** Asks the controller for chunks (publishes a BundleChunkRequest). */
    @FunctionalInterface
    public interface ChunkRequester {
        /**
         * @throws IOException when the request was not sent (no connection, the broker refused it);
         *     the installer asks again
         */
        void request(String bundleId, List<Integer> indices) throws InterruptedException, IOException;
    }

    /** Called once the new slot is active, so the generator switches to it. */
    @FunctionalInterface
    public interface Activation {
        void activated(InstalledSlot slot);
    }

    private final BundleStore store;
    private final Path downloads;
    private final PublicKey trustedKey;
    private final SemVer agentVersion;
    private final ChunkRequester requester;
    private final HealthCheck healthCheck;
    private final Activation activation;
    private final Duration chunkWait;
    private final int maxRoundsWithoutProgress;
    private final Clock clock;
    private final LinkState link;
    private final Duration patience;
    private final boolean reuseHeldFiles;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private ChunkDownload current;
    private String currentBundle;
    private long rejectedChunks;

    /**
     * @param chunkWait how long one request for chunks is given to be answered
     * @param maxRoundsWithoutProgress requests in a row answered with nothing (while the link is up)
     *     after which the job fails
     * @param link the broker session's state: the download pauses while it is down
     * @param patience the most time one job may spend paused for outages, all together
     */
    public BundleInstaller(BundleStore store, Path downloads, PublicKey trustedKey, String agentVersion,
            ChunkRequester requester, HealthCheck healthCheck, Activation activation, Duration chunkWait,
            int maxRoundsWithoutProgress, Clock clock, LinkState link, Duration patience) {
        this(store, downloads, trustedKey, agentVersion, requester, healthCheck, activation, chunkWait,
                maxRoundsWithoutProgress, clock, link, patience, true);
    }

    /**
     * @param reuseHeldFiles whether a download reuses the files the device's slots already hold
     *     (delta updates, {@code c2f.bundle.delta}); false asks for every chunk, as agents before deltas did
     */
    public BundleInstaller(BundleStore store, Path downloads, PublicKey trustedKey, String agentVersion,
            ChunkRequester requester, HealthCheck healthCheck, Activation activation, Duration chunkWait,
            int maxRoundsWithoutProgress, Clock clock, LinkState link, Duration patience, boolean reuseHeldFiles) {
        this.reuseHeldFiles = reuseHeldFiles;
        this.store = store;
        this.downloads = downloads;
        this.trustedKey = trustedKey;
        this.agentVersion = SemVer.parse(agentVersion);
        this.requester = requester;
        this.healthCheck = healthCheck;
        this.activation = activation;
        this.chunkWait = chunkWait;
        this.maxRoundsWithoutProgress = maxRoundsWithoutProgress;
        this.clock = clock;
        this.link = link;
        this.patience = patience;
    }

    /** A chunk arrived for some bundle; stored if it belongs to the download in progress and verifies. */
    public void onChunk(BundleChunk chunk) {
        lock.lock();
        try {
            if (current == null || !chunk.getBundleId().equals(currentBundle)) {
                LOG.debug("ignoring chunk {} of {}: no such download in progress", chunk.getIndex(), chunk.getBundleId());
                return;
            }
            try {
                current.accept(chunk.getIndex(), chunk.getData().toByteArray());
            } catch (BundleVerificationException e) {
                rejectedChunks++;
                LOG.warn("rejected chunk: {}", e.getMessage());
            } catch (IOException e) {
                LOG.error("cannot store chunk {} of {}: {}", chunk.getIndex(), chunk.getBundleId(), e.getMessage());
            }
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Chunks that failed verification since start (re-requested automatically). */
    public long rejectedChunks() {
        lock.lock();
        try {
            return rejectedChunks;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs the job, reporting every state change, and returns the final update; or, if the thread
     * is interrupted (the agent stops), an IN_PROGRESS update that is not reported: the job is not
     * over, the controller sends it again.
     *
     * @param status receives each update (IN_PROGRESS steps and the final state)
     */
    public JobStatusUpdate install(String jobId, InstallBundle command, Duration timeout,
            Consumer<JobStatusUpdate> status) {
        return install(jobId, command, "", timeout, status);
    }

    /**
     * As {@link #install(String, InstallBundle, Duration, Consumer)}, on the engine the rollout
     * pinned ("" for the device's own choice): the health probe runs on that engine only and the
     * pin stays with the slot.
     *
     * @param enginePin from the signed order (InstallOrder.engine)
     */
    public JobStatusUpdate install(String jobId, InstallBundle command, String enginePin, Duration timeout,
            Consumer<JobStatusUpdate> status) {
        JobClock time = new JobClock(clock, timeout, patience);
        try {
            if (!enginePin.isEmpty() && !enginePin.matches("[a-z0-9_-]{1,32}")) {
                throw InstallFailure.rejected(ErrorCode.ERROR_CODE_INVALID_ARGUMENT,
                        "order pins engine \"" + enginePin + "\", which is not an engine name ([a-z0-9_-]{1,32})");
            }
            BundleManifest manifest;
            try {
                manifest = ManifestSigning.verify(command.getManifest(), trustedKey);
            } catch (BundleVerificationException e) {
                throw InstallFailure.rejected(ErrorCode.ERROR_CODE_VERIFICATION_FAILED, e.getMessage());
            }
            return install(jobId, command, enginePin, manifest, time, status);
        } catch (InstallFailure f) {
            return finish(status, jobId, f.state(), f.step(), f.code(), f.getMessage(), f.probe().orElse(null),
                    f.refusal());
        }
    }

    private JobStatusUpdate install(String jobId, InstallBundle command, String enginePin, BundleManifest manifest,
            JobClock time,
            Consumer<JobStatusUpdate> status) throws InstallFailure {
        String label = manifest.getBundleId() + " " + manifest.getVersion();
        try {
            if (isAlreadyActive(manifest, command.getRollback())) {
                return finish(status, jobId, JobState.JOB_STATE_SUCCEEDED, JobStep.JOB_STEP_ACTIVATING, null, "bundle "
                        + manifest.getBundleId() + " " + SemVer.parse(manifest.getVersion()) + " is already active", null);
            }
            status.accept(update(jobId, JobState.JOB_STATE_IN_PROGRESS, JobStep.JOB_STEP_DOWNLOADING, 0));
            ChunkDownload download = new ChunkDownload(downloads, command.getManifest(), manifest,
                    reuseHeldFiles ? HeldFiles.in(store) : HeldFiles.NONE);
            byte[] payload = null;
            for (int attempt = 1; payload == null; attempt++) {
                download(jobId, manifest, download, time, status);
                status.accept(update(jobId, JobState.JOB_STATE_IN_PROGRESS, JobStep.JOB_STEP_VERIFYING, 100));
                try {
                    payload = download.assemble();
                } catch (ChunksDiscardedException e) {
                    if (attempt >= MAX_ASSEMBLY_ATTEMPTS) {
                        throw InstallFailure.failed(JobStep.JOB_STEP_VERIFYING,
                                ErrorCode.ERROR_CODE_VERIFICATION_FAILED, "stored chunks of " + label
                                        + " failed verification on disk " + attempt + " times in a row (last: "
                                        + e.indices() + "); the device's storage may be failing");
                    }
                    status.accept(update(jobId, JobState.JOB_STATE_IN_PROGRESS, JobStep.JOB_STEP_DOWNLOADING,
                            percent(manifest.getChunkCount(), e.indices().size())));
                }
            }
            List<Map.Entry<String, byte[]>> files;
            try {
                files = BundlePayload.unpack(manifest, payload);
            } catch (BundleVerificationException e) {
                download.discard(); // a consistent chunk set that does not add up: start over next time
                throw InstallFailure.failed(JobStep.JOB_STEP_VERIFYING, ErrorCode.ERROR_CODE_VERIFICATION_FAILED,
                        e.getMessage());
            }
            status.accept(update(jobId, JobState.JOB_STATE_IN_PROGRESS, JobStep.JOB_STEP_INSTALLING, 100));
            InstalledSlot slot = store.installIntoInactive(command.getManifest(), manifest, files, enginePin);
            if (time.expired()) {
                throw InstallFailure.timedOut(JobStep.JOB_STEP_INSTALLING,
                        "job timed out after " + time.timeout() + " while installing " + label);
            }
            status.accept(update(jobId, JobState.JOB_STATE_IN_PROGRESS, JobStep.JOB_STEP_PROBING, 100));
            QualityProbe probe;
            try {
                probe = healthCheck.probe(slot);
            } catch (BundleOpenException e) {
                throw InstallFailure.failed(JobStep.JOB_STEP_WARMING_UP, ErrorCode.ERROR_CODE_UNSUPPORTED,
                        "bundle " + label + " does not run on this device: " + e.getMessage()
                                + "; the previous bundle keeps running").withRefusal(e.refusal());
            } catch (RuntimeException e) {
                // a model that crashes the engine does not run here either
                throw InstallFailure.failed(JobStep.JOB_STEP_WARMING_UP, ErrorCode.ERROR_CODE_UNSUPPORTED,
                        "bundle " + label + " does not run on this device: " + e.getMessage()
                                + "; the previous bundle keeps running");
            }
            if (!probe.getPassed()) {
                throw InstallFailure.probeFailed(String.format(java.util.Locale.ROOT,
                        "health probe of %s failed: PSNR %.2f dB below the threshold %.2f dB; "
                                + "the previous bundle keeps running",
                        label, probe.getPsnrDb(), probe.getThresholdPsnrDb()), probe);
            }
            status.accept(update(jobId, JobState.JOB_STATE_IN_PROGRESS, JobStep.JOB_STEP_ACTIVATING, 100));
            store.activate(slot.slot());
            activation.activated(slot);
            download.discard();
            return finish(status, jobId, JobState.JOB_STATE_SUCCEEDED, JobStep.JOB_STEP_ACTIVATING, null,
                    "installed " + label + " in slot " + slot.slot().id(), probe);
        } catch (InterruptedException | IOException | RuntimeException e) {
            if (e instanceof InterruptedException || Thread.currentThread().isInterrupted()) {
                // the agent is stopping (an interrupted wait, or file I/O closed by the interrupt):
                // the job is not failed, the stored chunks stay, and the controller sends the job
                // again when the device is back (its birth)
                Thread.currentThread().interrupt();
                LOG.info("job {}: install of {} interrupted by shutdown; it resumes when the job is sent again",
                        jobId, label);
                return update(jobId, JobState.JOB_STATE_IN_PROGRESS, JobStep.JOB_STEP_UNSPECIFIED, 0);
            }
            LOG.error("install of {} failed", label, e);
            throw InstallFailure.failed(JobStep.JOB_STEP_UNSPECIFIED, ErrorCode.ERROR_CODE_INTERNAL,
                    "install of " + label + " failed: " + e);
        } finally {
            lock.lock();
            try {
                current = null;
                currentBundle = null;
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Whether the offered bundle is the one running (nothing to do).
     *
     * @throws InstallFailure when it must not be installed: a bad version, an agent too old for it,
     *     or a downgrade that is not a rollback
     */
    private boolean isAlreadyActive(BundleManifest manifest, boolean rollback) throws IOException, InstallFailure {
        SemVer offered;
        try {
            offered = SemVer.parse(manifest.getVersion());
        } catch (IllegalArgumentException e) {
            throw InstallFailure.rejected(ErrorCode.ERROR_CODE_INVALID_ARGUMENT, "bundle version: " + e.getMessage());
        }
        if (!manifest.getMinAgentVersion().isEmpty()) {
            SemVer needed;
            try {
                needed = SemVer.parse(manifest.getMinAgentVersion());
            } catch (IllegalArgumentException e) {
                throw InstallFailure.rejected(ErrorCode.ERROR_CODE_INVALID_ARGUMENT,
                        "min_agent_version: " + e.getMessage());
            }
            if (agentVersion.compareTo(needed) < 0) {
                throw InstallFailure.rejected(ErrorCode.ERROR_CODE_UNSUPPORTED, "bundle " + manifest.getBundleId()
                        + " needs agent " + needed + ", this agent is " + agentVersion);
            }
        }
        Optional<Slot> activeSlot = store.activeSlot();
        if (activeSlot.isEmpty()) {
            return false;
        }
        BundleManifest running;
        try {
            running = store.load(activeSlot.get()).manifest();
        } catch (IOException e) {
            LOG.warn("active slot does not verify ({}); accepting any version", e.getMessage());
            return false;
        }
        SemVer installed = SemVer.parse(running.getVersion());
        int cmp = offered.compareTo(installed);
        if (cmp == 0 && running.getBundleId().equals(manifest.getBundleId())) {
            return true;
        }
        if (cmp < 0 && !rollback) {
            throw InstallFailure.rejected(ErrorCode.ERROR_CODE_DOWNGRADE_REFUSED, "bundle version " + offered
                    + " is older than the installed " + installed + " and the job is not a rollback");
        }
        return false;
    }

    /** Fetches the chunks the download lacks; returns once it has them all. */
    private void download(String jobId, BundleManifest manifest, ChunkDownload download, JobClock time,
            Consumer<JobStatusUpdate> status) throws InterruptedException, InstallFailure {
        lock.lock();
        try {
            current = download;
            currentBundle = manifest.getBundleId();
        } finally {
            lock.unlock();
        }
        int roundsWithoutProgress = 0;
        int total = manifest.getChunkCount();
        int reported = -1;
        List<Integer> missing = download.missing();
        while (!missing.isEmpty()) {
            if (!link.isOnline()) {
                pause(jobId, manifest, missing.size(), time);
                missing = download.missing(); // the broker may have delivered chunks queued for us
                reported = percent(total, missing.size());
                // the controller heard nothing while the link was down: tell it the job is alive
                status.accept(update(jobId, JobState.JOB_STATE_IN_PROGRESS, JobStep.JOB_STEP_DOWNLOADING, reported));
                roundsWithoutProgress = 0;
                continue;
            }
            if (time.expired()) {
                throw InstallFailure.timedOut(JobStep.JOB_STEP_DOWNLOADING, "job timed out after " + time.timeout()
                        + (time.pauses() == 0 ? "" : " (not counting " + seconds(time.pausedTotal())
                                + " paused while the broker was unreachable)")
                        + " with " + missing.size() + " of " + total + " chunks of " + manifest.getBundleId()
                        + " missing");
            }
            long session = link.sessions();
            List<Integer> window = missing.subList(0, Math.min(REQUEST_WINDOW, missing.size()));
            try {
                requester.request(manifest.getBundleId(), List.copyOf(window));
            } catch (IOException | RuntimeException e) {
                // the link went down under the request (paused below), or the request was lost:
                // either way nothing is answered and the chunks are asked for again
                LOG.warn("job {}: request for {} chunks of {} not sent: {}", jobId, window.size(),
                        manifest.getBundleId(), e.toString());
            }
            int before = missing.size();
            long waitUntil = System.nanoTime() + chunkWait.toNanos();
            int left = before;
            while (left > before - window.size() && System.nanoTime() < waitUntil && sameSession(session)) {
                lock.lock();
                try {
                    arrived.await(Math.min(250_000_000L, Math.max(1, waitUntil - System.nanoTime())),
                            TimeUnit.NANOSECONDS);
                } finally {
                    lock.unlock();
                }
                left = download.missing().size();
                int percent = percent(total, left);
                if (percent / 10 > reported / 10 && left > 0) {
                    reported = percent; // operators see the download move, in 10 % steps
                    status.accept(update(jobId, JobState.JOB_STATE_IN_PROGRESS, JobStep.JOB_STEP_DOWNLOADING, percent));
                }
            }
            missing = download.missing();
            if (missing.size() < before) {
                roundsWithoutProgress = 0;
            } else if (!sameSession(session)) {
                // the link dropped during the round: the outage kept the chunks away, not the controller
                LOG.info("job {}: link lost while waiting for chunks of {}; asking again once it is back", jobId,
                        manifest.getBundleId());
            } else if (++roundsWithoutProgress >= maxRoundsWithoutProgress) {
                throw InstallFailure.failed(JobStep.JOB_STEP_DOWNLOADING, ErrorCode.ERROR_CODE_TIMEOUT,
                        "no chunk of " + manifest.getBundleId() + " arrived in " + roundsWithoutProgress
                                + " requests (" + missing.size() + " of " + total
                                + " missing); the download resumes with the next job");
            }
        }
    }

    /** Whether the broker session in which a request was made is still the one up. */
    private boolean sameSession(long session) {
        return link.isOnline() && link.sessions() == session;
    }

    /**
     * Waits for the link to come back, within what is left of the job's patience.
     *
     * @throws InstallFailure when the patience ran out first
     */
    private void pause(String jobId, BundleManifest manifest, int missing, JobClock time)
            throws InterruptedException, InstallFailure {
        int total = manifest.getChunkCount();
        Duration limit = time.pauseLimit();
        boolean byTimeout = time.pauseLimitedByTimeout();
        LOG.info("job {}: broker unreachable, download of {} paused with {} of {} chunks missing (waits at most {})",
                jobId, manifest.getBundleId(), missing, total, seconds(limit));
        long start = System.nanoTime();
        boolean back = link.awaitOnline(limit);
        Duration paused = Duration.ofNanos(System.nanoTime() - start);
        time.paused(paused);
        if (back) {
            LOG.info("job {}: link back after {}, download of {} resumes", jobId, seconds(paused),
                    manifest.getBundleId());
            return;
        }
        String label = manifest.getBundleId() + " " + manifest.getVersion();
        String kept = "; " + missing + " of " + total + " chunks missing, the " + (total - missing)
                + " stored are kept for the next attempt";
        throw InstallFailure.failed(JobStep.JOB_STEP_DOWNLOADING, ErrorCode.ERROR_CODE_TIMEOUT, byTimeout
                ? "download of " + label + " paused for " + seconds(paused) + " while the broker was "
                        + "unreachable, as long as the job's step timeout of " + seconds(time.timeout())
                        + " after which the controller times the job out" + kept
                : "download of " + label + " paused " + time.pauses() + " time(s) for "
                        + seconds(time.pausedTotal()) + " in all while the broker was unreachable, more than "
                        + "the download patience of " + seconds(time.patience()) + kept);
    }

    private static int percent(int total, int missing) {
        return (int) (100L * (total - missing) / total);
    }

    private static String seconds(Duration d) {
        return String.format(java.util.Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }

    private static JobStatusUpdate update(String jobId, JobState state, JobStep step, int percent) {
        return JobStatusUpdate.newBuilder().setJobId(jobId).setState(state).setStep(step).setProgressPercent(percent)
                .build();
    }

    private static JobStatusUpdate finish(Consumer<JobStatusUpdate> status, String jobId, JobState state,
            JobStep step, ErrorCode code, String message, QualityProbe probe) {
        return finish(status, jobId, state, step, code, message, probe, "");
    }

    private static JobStatusUpdate finish(Consumer<JobStatusUpdate> status, String jobId, JobState state,
            JobStep step, ErrorCode code, String message, QualityProbe probe, String refusal) {
        JobStatusUpdate.Builder u = JobStatusUpdate.newBuilder().setJobId(jobId).setState(state).setStep(step)
                .setProgressPercent(state == JobState.JOB_STATE_SUCCEEDED ? 100 : 0);
        if (code != null) {
            u.setError(ErrorDetail.newBuilder().setCode(code).setMessage(message));
        } else {
            u.putDetails("message", message);
        }
        if (probe != null) {
            u.setProbe(probe);
        }
        if (!refusal.isEmpty()) {
            u.putDetails("refusal", refusal);
        }
        JobStatusUpdate done = u.build();
        if (state == JobState.JOB_STATE_SUCCEEDED) {
            LOG.info("job {}: {}", jobId, message);
        } else {
            LOG.warn("job {} {}: {}", jobId, state, message);
        }
        status.accept(done);
        return done;
    }
}
