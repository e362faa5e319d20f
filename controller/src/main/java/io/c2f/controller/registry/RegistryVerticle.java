package io.c2f.controller.registry;

import io.c2f.controller.log.EventLog;
import io.c2f.controller.metrics.ControllerMetrics;
import io.c2f.controller.mqtt.DeviceCommands;
import io.c2f.controller.mqtt.EventAddresses;
import io.c2f.controller.mqtt.LocalCodec;
import io.c2f.controller.store.DeviceBirth;
import io.c2f.controller.store.DeviceRecord;
import io.c2f.controller.store.DeviceRepository;
import io.c2f.controller.store.DeviceStatus;
import io.c2f.controller.store.DeviceTouch;
import io.c2f.controller.store.TelemetryIngest;
import io.c2f.controller.store.TelemetryRecord;
import io.c2f.controller.telemetry.GenerationEvent;
import io.c2f.proto.codec.Inbound;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.v1.Birth;
import io.c2f.proto.v1.Death;
import io.c2f.proto.v1.DeviceState;
import io.c2f.proto.v1.Telemetry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.c2f.controller.store.TelemetryWriter;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the device registry: devices appear from births, go offline on a death of their current
 * session or after missed heartbeats, come back with the next birth; telemetry is stored once per
 * (device, telemetry_seq) with its losses counted.
 *
 * <p>Liveness is decided in memory ({@link DeviceSessions}) on this verticle's event loop; the
 * database follows. Writes of one device are chained, so they land in the order the messages
 * came, while different devices proceed in parallel (bounded by the database workers).
 */
public final class RegistryVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryVerticle.class);
    /** A heartbeat rewrites last_seen at most this often per device (the liveness table has it exactly). */
    static final long LAST_SEEN_WRITE_MS = 15_000;
    /** Pending last_seen writes go to the database together this often... */
    static final long LAST_SEEN_FLUSH_MS = 1_000;
    /** ...or as soon as this many devices have one pending. */
    static final int LAST_SEEN_MAX_PENDING = 2_000;
    /** A device of an unknown session is asked for a birth at most this often. */
    static final long REBIRTH_REQUEST_MS = 10_000;
    private static final int RESTORE_PAGE = 1000;

    private final RegistrySettings settings;
    private final DeviceRepository repository;
    private final ControllerMetrics metrics;
    private final Clock clock;
    private final DeviceSessions sessions;
    private final Map<String, Future<?>> writeChains = new HashMap<>();
    private final Map<String, Long> lastSeenWritten = new HashMap<>();
    private final Map<String, Long> rebirthRequested = new HashMap<>();
    private DeviceCommands commands;
    private TelemetryWriter telemetry;
    private LastSeenWrites lastSeen;
    private long sweepTimer = -1;
    private long lastSeenTimer = -1;

    public RegistryVerticle(RegistrySettings settings, DeviceRepository repository, ControllerMetrics metrics,
            Clock clock) {
        this.settings = settings;
        this.repository = repository;
        this.metrics = metrics;
        this.clock = clock;
        this.sessions = new DeviceSessions(settings.heartbeatTimeoutFactor(), settings.defaultHeartbeatMs());
    }

    @Override
    public Future<?> start() {
        LocalCodec.registerOn(vertx);
        commands = new DeviceCommands(vertx);
        telemetry = new TelemetryWriter(vertx, repository, metrics, settings.telemetryBatchSize(),
                settings.telemetryBatchDelayMs(), settings.telemetryQueueCapacity(), settings.telemetryWriters());
        lastSeen = new LastSeenWrites(repository, LAST_SEEN_MAX_PENDING);
        lastSeenTimer = vertx.setPeriodic(LAST_SEEN_FLUSH_MS, t -> flushLastSeen());
        return restoreOnline(null, 0).compose(restored -> {
            if (restored > 0) {
                LOG.info("{} devices were online before this start; they have {} heartbeat intervals to be heard",
                        restored, settings.heartbeatTimeoutFactor());
            }
            sweepTimer = vertx.setPeriodic(settings.livenessSweepMs(), t -> sweep());
            return Future.all(List.of(
                    consume(Channel.BIRTH, this::onBirth),
                    consume(Channel.DEATH, this::onDeath),
                    consume(Channel.STATE, this::onState),
                    consumeTelemetry()));
        });
    }

    /**
     * Waits for every write accepted so far (the graceful stop calls this once the MQTT intake
     * stopped, so nothing new arrives meanwhile).
     *
     * @return how many device writes and telemetry records were pending
     */
    public Future<Integer> drain() {
        Promise<Integer> done = Promise.promise();
        context.runOnContext(v -> {
            List<Future<?>> pending = new ArrayList<>(writeChains.values());
            int records = telemetry.pending() + lastSeen.pending();
            pending.add(lastSeen.flush());
            Future.join(pending).otherwiseEmpty()
                    .compose(x -> telemetry.close().otherwiseEmpty())
                    .onComplete(ar -> done.complete(pending.size() + records));
        });
        return done.future();
    }

    @Override
    public Future<?> stop() {
        if (sweepTimer != -1) {
            vertx.cancelTimer(sweepTimer);
        }
        if (lastSeenTimer != -1) {
            vertx.cancelTimer(lastSeenTimer);
        }
        // let queued writes finish so a clean shutdown loses nothing already accepted
        List<Future<?>> pending = new ArrayList<>(writeChains.values());
        if (lastSeen != null) {
            pending.add(lastSeen.flush());
        }
        return Future.join(pending).otherwiseEmpty()
                .compose(v -> telemetry == null ? Future.succeededFuture() : telemetry.close().otherwiseEmpty());
    }

    private Future<Integer> restoreOnline(String afterId, int restored) {
        return repository.list(settings.fleet(), DeviceStatus.ONLINE, afterId, RESTORE_PAGE).compose(page -> {
            long now = clock.millis();
            for (DeviceRecord d : page) {
                sessions.restore(d.id(), d.bdSeq(), d.heartbeatIntervalMs() == null ? 0 : d.heartbeatIntervalMs(), now);
            }
            int total = restored + page.size();
            return page.size() < RESTORE_PAGE ? Future.succeededFuture(total)
                    : restoreOnline(page.get(page.size() - 1).id(), total);
        });
    }

    private Future<Void> consume(Channel channel, Handler<Inbound> handler) {
        return vertx.eventBus().<Inbound>consumer(EventAddresses.inbound(channel), (Message<Inbound> m) -> {
            Inbound in = m.body();
            if (!settings.fleet().equals(in.address().fleet())) {
                return; // another fleet on a shared broker; not ours
            }
            handler.handle(in);
        }).completion();
    }

    private void onBirth(Inbound in) {
        Birth birth = in.as(Birth.class);
        long now = clock.millis();
        long bdSeq = birth.getHeader().getBdSeq();
        if (sessions.birth(birth.getDeviceId(), bdSeq, now)) {
            metrics.reportDeviceOnline();
        }
        rebirthRequested.remove(birth.getDeviceId());
        lastSeenWritten.put(birth.getDeviceId(), now);
        EventLog.info(LOG, "device.birth", "device", birth.getDeviceId(), "bdSeq", bdSeq, "agent",
                birth.getAgentVersion(), "bundle", birth.getInstalled().getBundleId(), "schedule", birth.getScheduleId());
        DeviceBirth row = DeviceBirth.from(settings.fleet(), birth, now);
        serially(birth.getDeviceId(), () -> repository.upsertBirth(row))
                .onFailure(e -> LOG.error("storing the birth of {} failed: {}", birth.getDeviceId(), e.getMessage()));
    }

    private void onDeath(Inbound in) {
        Death death = in.as(Death.class);
        long bdSeq = death.getHeader().getBdSeq();
        long now = clock.millis();
        DeviceSessions.Verdict verdict = sessions.death(death.getDeviceId(), bdSeq, now);
        if (verdict != DeviceSessions.Verdict.CURRENT) {
            metrics.reportStaleMessage(Channel.DEATH);
            EventLog.info(LOG, "device.death.ignored", "device", death.getDeviceId(), "bdSeq", bdSeq, "session",
                    verdict.name().toLowerCase(Locale.ROOT), "reason", death.getReason());
            return;
        }
        String reason = switch (death.getReason()) {
            case DEATH_REASON_GRACEFUL_SHUTDOWN -> "GRACEFUL_SHUTDOWN";
            case DEATH_REASON_CONNECTION_LOST -> "CONNECTION_LOST";
            default -> "DEATH";
        };
        goOffline(death.getDeviceId(), bdSeq, reason, now);
    }

    private void onState(Inbound in) {
        DeviceState state = in.as(DeviceState.class);
        String id = state.getDeviceId();
        long bdSeq = state.getHeader().getBdSeq();
        long now = clock.millis();
        DeviceSessions.Verdict verdict = sessions.heartbeat(id, bdSeq, state.getHeartbeatIntervalMs(), now);
        if (verdict == DeviceSessions.Verdict.CURRENT) {
            Long written = lastSeenWritten.get(id);
            if (written == null || now - written >= LAST_SEEN_WRITE_MS) {
                lastSeenWritten.put(id, now);
                lastSeen.add(new DeviceTouch(id, bdSeq, now, state.getHeartbeatIntervalMs()));
            }
            return;
        }
        // a live device whose birth we missed (we restarted, or it was declared offline too early)
        metrics.reportStaleMessage(Channel.STATE);
        Long asked = rebirthRequested.get(id);
        if (asked == null || now - asked >= REBIRTH_REQUEST_MS) {
            rebirthRequested.put(id, now);
            LOG.info("heartbeat of {} from a session not known online (bdSeq {}, {}): asking for a birth", id, bdSeq,
                    verdict);
            commands.requestRebirth(id, "heartbeat from unknown session " + bdSeq)
                    .onFailure(e -> LOG.warn("rebirth request to {} failed: {}", id, e.getMessage()));
        }
    }

    /**
     * Telemetry comes as a request: the reply tells the MQTT ingress it may acknowledge the message
     * (once queued for writing, or once stored: {@code telemetry.ack}); a failure leaves it
     * unacknowledged, for the broker to deliver again to the next session.
     */
    private Future<Void> consumeTelemetry() {
        return vertx.eventBus().<Inbound>consumer(EventAddresses.inbound(Channel.TELEMETRY), (Message<Inbound> m) -> {
            Inbound in = m.body();
            if (!settings.fleet().equals(in.address().fleet())) {
                m.reply(null);
                return;
            }
            onTelemetry(in).onComplete(ar -> {
                if (ar.succeeded()) {
                    m.reply(null);
                } else {
                    m.fail(503, ar.cause().getMessage());
                }
            });
        }).completion();
    }

    private Future<Void> onTelemetry(Inbound in) {
        Telemetry t = in.as(Telemetry.class);
        TelemetryRecord record = TelemetryRecord.from(settings.fleet(), t, clock.millis());
        // after the device's pending registry writes (its birth: the counters live on its row), in arrival order
        Future<?> before = writeChains.getOrDefault(t.getDeviceId(), Future.succeededFuture());
        Promise<Void> acknowledgeable = Promise.promise();
        before.onComplete(x -> {
            TelemetryWriter.Offer offer = telemetry.offer(record);
            (settings.telemetryAckAfterStore() ? offer.stored().<Void>mapEmpty() : offer.queued())
                    .onComplete(acknowledgeable);
            stored(t, record, offer.stored());
        });
        return acknowledgeable.future();
    }

    private void stored(Telemetry t, TelemetryRecord record, Future<TelemetryIngest> stored) {
        stored.onComplete(ar -> {
            if (ar.failed()) {
                LOG.error("storing telemetry {} of {} failed: {}", t.getTelemetrySeq(), t.getDeviceId(),
                        ar.cause().getMessage());
                return;
            }
            metrics.reportTelemetry(ar.result().duplicate());
            if (!ar.result().duplicate()) {
                metrics.reportTelemetryStored(t.getDeviceId(), t.getTelemetrySeq(), record.sentAtMs(),
                        record.receivedAtMs(), clock.millis());
            }
            if (!ar.result().duplicate() && t.hasGeneration()) {
                GenerationEvent.publish(vertx, new GenerationEvent(t.getDeviceId(), record.receivedAtMs(),
                        t.getGeneration()));
            }
            // scaled out (shared subscription), one device's records reach the database out of order through
            // several instances, and a gap is usually filled a moment later: then only what the device itself
            // dropped is reported at once; gaps still open stay visible per device (telemetry.gap in the API)
            long gap = settings.sharedGroup().isEmpty() ? Math.max(0, ar.result().gap()) : 0;
            long lost = ar.result().dropped() + gap;
            if (lost > 0) {
                metrics.reportTelemetryLost(lost);
                LOG.warn("device {} lost {} telemetry records before seq {} ({} dropped by its spool, {} missing)",
                        t.getDeviceId(), lost, t.getTelemetrySeq(), ar.result().dropped(), gap);
            }
        });
    }

    private void sweep() {
        for (DeviceSessions.Expired e : sessions.expire(clock.millis())) {
            goOffline(e.deviceId(), e.bdSeq(), "HEARTBEAT_TIMEOUT", clock.millis());
        }
    }

    private void goOffline(String id, long bdSeq, String reason, long now) {
        metrics.reportDeviceOffline(reason);
        EventLog.info(LOG, "device.offline", "device", id, "reason", reason, "bdSeq", bdSeq);
        serially(id, () -> repository.markOffline(id, bdSeq, reason, now))
                .onSuccess(changed -> {
                    if (changed) {
                        // a heartbeat timeout has no MQTT message of its own: this tells the dashboard
                        vertx.eventBus().publish(EventAddresses.DEVICE_CHANGED, id);
                    }
                })
                .onFailure(e -> LOG.error("storing that {} went offline failed: {}", id, e.getMessage()));
    }

    private void flushLastSeen() {
        int devices = lastSeen.pending();
        lastSeen.flush().onFailure(e -> LOG.warn("storing the heartbeats of {} devices failed: {}", devices, e.getMessage()));
    }

    /** Runs op after every earlier write of the same device, whatever their outcome. */
    private <T> Future<T> serially(String deviceId, Supplier<Future<T>> op) {
        Future<?> previous = writeChains.getOrDefault(deviceId, Future.succeededFuture());
        Future<T> next = previous.transform(ignored -> op.get());
        writeChains.put(deviceId, next);
        next.onComplete(ar -> writeChains.remove(deviceId, next));
        return next;
    }
}
