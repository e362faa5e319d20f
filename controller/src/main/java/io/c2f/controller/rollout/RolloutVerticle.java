package io.c2f.controller.rollout;

import io.c2f.controller.log.EventLog;
import io.c2f.controller.bundle.BundleService;
import io.c2f.controller.config.ControllerIdentity;
import io.c2f.controller.job.Job;
import io.c2f.controller.job.JobOrderSigner;
import io.c2f.controller.job.JobRepository;
import io.c2f.controller.job.JobStatus;
import io.c2f.controller.mqtt.DeviceCommands;
import io.c2f.controller.mqtt.EventAddresses;
import io.c2f.controller.mqtt.LocalCodec;
import io.c2f.proto.codec.Inbound;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.v1.Birth;
import io.c2f.proto.v1.JobStatusUpdate;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives the rollouts this controller holds a lease on: renews the leases, records the devices'
 * job statuses, and after every change (a final status, a birth, an operator's request, a tick)
 * runs {@link RolloutReconciler} on the rollout and publishes the jobs it picks.
 *
 * <p>Exactly one controller drives a rollout: the lease row in the database, renewed every tick,
 * taken over by another controller once it expired (or at once after a clean stop). All of a
 * rollout's state is in the database, so the new driver continues where the last one stopped; on
 * taking over it re-sends the jobs that are still open (devices answer a job they already finished
 * with its outcome, so this is safe) since their statuses may have been lost in between.
 */
public final class RolloutVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(RolloutVerticle.class);

    private final ControllerIdentity identity;
    private final RolloutService service;
    private final JobRepository jobs;
    private final BundleService bundles;
    private final RolloutSettings settings;
    private final Clock clock;
    private final Set<String> leased = new HashSet<>();
    /** Leases taken whose take-over (deadlines moved, open jobs re-sent) is still running. */
    private final Set<String> takingOver = new HashSet<>();
    private final Set<String> running = new HashSet<>();
    private final Set<String> dirty = new HashSet<>();
    private DeviceCommands commands;
    private JobOrderSigner orders;
    private long timer = -1;
    private boolean stopping;

    public RolloutVerticle(ControllerIdentity identity, RolloutService service, JobRepository jobs, BundleService bundles,
            RolloutSettings settings, Clock clock) {
        this.identity = identity;
        this.service = service;
        this.jobs = jobs;
        this.bundles = bundles;
        this.settings = settings;
        this.clock = clock;
    }

    @Override
    public Future<?> start() {
        LocalCodec.registerOn(vertx);
        commands = new DeviceCommands(vertx);
        orders = new JobOrderSigner(bundles.signingKey(), identity.fleet(), clock);
        Future<Void> status = vertx.eventBus().<Inbound>consumer(EventAddresses.inbound(Channel.JOB_STATUS), m -> {
            if (identity.fleet().equals(m.body().address().fleet())) {
                onStatus(m.body().address().deviceId(), m.body().as(JobStatusUpdate.class));
            }
        }).completion();
        Future<Void> births = vertx.eventBus().<Inbound>consumer(EventAddresses.inbound(Channel.BIRTH), m -> {
            if (identity.fleet().equals(m.body().address().fleet())) {
                Birth b = m.body().as(Birth.class);
                onBirth(b.getDeviceId(), b.getInstalled().getBundleId());
            }
        }).completion();
        Future<Void> kicks = vertx.eventBus().<String>consumer(RolloutService.KICK, m -> {
            if (leased.contains(m.body())) {
                kick(m.body());
            } else {
                tick(); // a new rollout (its creator holds the lease) or one another controller may drive
            }
        }).completion();
        return Future.all(status, births, kicks).onSuccess(v -> {
            timer = vertx.setPeriodic(0, settings.tickMs(), t -> tick());
        });
    }

    @Override
    public Future<?> stop() {
        stopping = true;
        if (timer != -1) {
            vertx.cancelTimer(timer);
        }
        return service.repository().release(identity.instanceId(), clock.millis()).otherwiseEmpty();
    }

    private void tick() {
        service.repository().lease(identity.fleet(), identity.instanceId(), clock.millis(), settings.leaseMs())
                .onSuccess(leases -> {
                    if (stopping) {
                        return;
                    }
                    List<String> ids = leases.stream().map(RolloutRepository.Lease::rolloutId).toList();
                    leased.retainAll(ids);
                    for (RolloutRepository.Lease l : leases) {
                        String id = l.rolloutId();
                        if (!leased.contains(id) && takingOver.add(id)) {
                            EventLog.info(LOG, "rollout.lease.taken", "rollout", id, "instance", identity.instanceId());
                            // driven (kicked) only once the take-over gave its jobs their time back
                            takeOver(l).onComplete(ar -> {
                                takingOver.remove(id);
                                if (!stopping) {
                                    leased.add(id);
                                    kick(id);
                                }
                            });
                        }
                    }
                    List.copyOf(leased).forEach(this::kick);
                })
                .onFailure(e -> LOG.warn("renewing rollout leases failed: {}", e.getMessage()));
    }

    /**
     * A new driver (another controller, or this one restarted after a crash) first gives the open jobs
     * the time nobody drove the rollout: a device cannot be blamed for a controller that was not
     * there to hear it. Then it re-sends the open jobs that were sent: their answers may have been lost
     * (a device answers a job it already finished with its outcome).
     */
    private Future<?> takeOver(RolloutRepository.Lease lease) {
        String id = lease.rolloutId();
        long now = clock.millis();
        long undriven = Math.max(0, now - lease.lastDrivenMs());
        Future<Integer> extended = undriven <= 2 * settings.tickMs() ? Future.succeededFuture(0)
                : service.repository().database().inTransaction(c -> {
                    int n = JobRepository.extendOpen(c, id, undriven, now);
                    if (n > 0) {
                        RolloutRepository.event(c, id, "RESUMED_AFTER_GAP", "no controller drove the rollout for "
                                + undriven + " ms: " + n + " open jobs get that time back", now);
                    }
                    return n;
                });
        return extended.compose(n -> jobs.ofRollout(id)).onSuccess(all -> all.stream()
                .filter(j -> !j.state().terminal() && j.sentMs() != null)
                .forEach(this::send))
                .onFailure(e -> LOG.warn("taking over rollout {} failed: {}", id, e.getMessage()));
    }

    /** Examines the rollout now, or once more right after the examination in progress. */
    private void kick(String id) {
        if (stopping || !leased.contains(id)) {
            return;
        }
        if (!running.add(id)) {
            dirty.add(id);
            return;
        }
        long now = clock.millis();
        service.repository().database().inTransaction(c -> RolloutReconciler.reconcile(c, id, now, settings))
                .onSuccess(toSend -> toSend.forEach(this::send))
                .onFailure(e -> LOG.error("rollout {}: step failed: {}", id, e.getMessage()))
                .onComplete(ar -> {
                    running.remove(id);
                    if (dirty.remove(id)) {
                        kick(id);
                    }
                });
    }

    private void send(Job j) {
        bundles.find(j.bundleId()).compose(b -> {
            if (b.isEmpty()) {
                return Future.failedFuture(new IllegalStateException("bundle " + j.bundleId() + " vanished"));
            }
            // signed at each send: the order's validity starts now
            return pinnedEngine(j).compose(engine ->
                    commands.sendJob(j.deviceId(), orders.install(j, b.get().signedManifest(), engine)));
        }).compose(v -> jobs.markSent(j.id(), clock.millis())).onSuccess(v -> EventLog.info(LOG, "job.sent",
                "device", j.deviceId(), "job", j.id(), "rollout", j.rolloutId(), "kind", j.kind(), "bundle", j.bundleId()))
                .onFailure(e -> EventLog.warn(LOG, "job.send.failed", "device", j.deviceId(), "job", j.id(),
                        "rollout", j.rolloutId(), "reason", e.getMessage()));
    }

    /** The engine the job's rollout pins ("" for none, and for jobs of no rollout). */
    private Future<String> pinnedEngine(Job j) {
        if (j.rolloutId() == null) {
            return Future.succeededFuture("");
        }
        return service.repository().database().execute(c -> RolloutRepository.find(c, j.rolloutId()))
                .map(r -> r.map(x -> x.spec().engine()).orElse(""));
    }

    private void onStatus(String deviceId, JobStatusUpdate u) {
        Optional<JobStatus> state = JobStatus.of(u.getState());
        if (state.isEmpty() || state.get() == JobStatus.QUEUED) {
            return; // nothing to record: the controller queued it itself
        }
        jobs.applyStatus(deviceId, u, state.get(), clock.millis()).onSuccess(updated -> {
            if (updated.isEmpty()) {
                LOG.debug("status {} of job {} from {} ignored: unknown job or already final", u.getState(),
                        u.getJobId(), deviceId);
                return;
            }
            Job j = updated.get();
            if (j.state().terminal()) {
                EventLog.info(LOG, "job." + j.state().name().toLowerCase(Locale.ROOT), "device", deviceId,
                        "job", j.id(), "rollout", j.rolloutId(), "kind", j.kind(), "bundle", j.bundleId(),
                        "error", j.errorMessage());
                if (j.state() == JobStatus.SUCCEEDED) {
                    // the registry learns the installed bundle from births (a later rollback needs it)
                    commands.requestRebirth(deviceId, "job " + j.id() + " installed " + j.bundleId())
                            .onFailure(e -> LOG.debug("rebirth request to {} failed: {}", deviceId, e.getMessage()));
                }
                if (j.rolloutId() != null) {
                    if (j.state() == JobStatus.SUCCEEDED && !leased.contains(j.rolloutId())) {
                        reopenIfSplit(j.rolloutId()); // a success after the rollout aborted
                    }
                    kick(j.rolloutId());
                }
            }
        }).onFailure(e -> LOG.error("recording status of job {} from {} failed: {}", u.getJobId(), deviceId,
                e.getMessage()));
    }

    /** Reopens an aborted rollout a device turned out to have switched to after all, and drives it. */
    private void reopenIfSplit(String rolloutId) {
        long now = clock.millis();
        service.repository().database().inTransaction(c -> RolloutReconciler.reopenIfSplit(c, rolloutId, now))
                .onSuccess(reopened -> {
                    if (reopened) {
                        tick();
                    }
                })
                .onFailure(e -> LOG.warn("rollout {}: checking for devices left on its bundle failed: {}", rolloutId,
                        e.getMessage()));
    }

    /** A device that (re)connected may have lost its job (restarted) or our command: send its open jobs again. */
    private void onBirth(String deviceId, String activeBundle) {
        if (!activeBundle.isEmpty()) {
            // it may run the bundle of a rollout that aborted meanwhile (the registry stores the birth
            // concurrently: looked at a moment later)
            vertx.setTimer(settings.tickMs(), t -> service.repository().abortedWithInstall(deviceId, activeBundle)
                    .onSuccess(ids -> ids.forEach(this::reopenIfSplit)));
        }
        jobs.openOfDevice(deviceId).onSuccess(open -> {
            for (Job j : open) {
                if (j.rolloutId() == null || !leased.contains(j.rolloutId())) {
                    continue;
                }
                if (j.sentMs() != null) {
                    send(j);
                } else {
                    kick(j.rolloutId());
                }
            }
        });
    }

    /** Rollouts this controller drives now (for tests and health). */
    public List<String> leasedRollouts() {
        return List.copyOf(leased);
    }
}
