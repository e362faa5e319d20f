package io.c2f.agent.core;

import io.c2f.agent.config.AgentConfig;
import io.c2f.agent.engine.ModelSession;
import io.c2f.agent.generate.GenerationService;
import io.c2f.agent.telemetry.LatencyWindow;
import io.c2f.agent.telemetry.TelemetryPump;
import io.c2f.agent.telemetry.TelemetrySpool;
import io.c2f.agent.threads.AgentThreads;
import io.c2f.agent.threads.Lane;
import io.c2f.proto.DeviceCapabilities;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.v1.Birth;
import io.c2f.proto.v1.DeviceState;
import io.c2f.proto.v1.DeviceStatus;
import io.c2f.proto.v1.ErrorCode;
import io.c2f.proto.v1.GenerateResult;
import io.c2f.proto.v1.GenerationRecord;
import io.c2f.proto.v1.Telemetry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the controller how the device is: its birth certificate, heartbeats, device facts every
 * 10 minutes, latency totals every {@code c2f.telemetry.interval} (a minute by default) and a
 * record of each generation. Records go to the
 * telemetry spool (the pump sends them once the broker is reachable); heartbeats only while online.
 * The periodic records (totals, facts) can be paused, so that a fleet simulator's run ends with
 * every record created also sent (see {@link #pauseRecords}).
 */
final class StateReporter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StateReporter.class);

    private final AgentConfig config;
    private final Clock clock;
    private final long startedAt;
    private final TelemetrySpool spool;
    private final TelemetryPump pump;
    private final LatencyWindow window;
    private final BundleSession session;
    private final GenerationService generation;
    private final Supplier<String> activeJob;
    private final BooleanSupplier online;
    private final Outbox outbox;
    private final Lane timers;
    /** Held while a periodic record is created, so that pausing waits for one being written. */
    private final Object periodic = new Object();
    private boolean recordsPaused; // guarded by periodic

    /**
     * @param activeJob the job running now, "" when none
     * @param online whether the broker session is up
     */
    StateReporter(AgentConfig config, Clock clock, TelemetrySpool spool, TelemetryPump pump, BundleSession session,
            GenerationService generation, Supplier<String> activeJob, BooleanSupplier online, Outbox outbox,
            AgentThreads threads) {
        this.config = config;
        this.clock = clock;
        this.startedAt = clock.millis();
        this.window = new LatencyWindow(startedAt);
        this.spool = spool;
        this.pump = pump;
        this.session = session;
        this.generation = generation;
        this.activeJob = activeJob;
        this.online = online;
        this.outbox = outbox;
        this.timers = threads.lane(AgentThreads.Work.LINK, "c2f-timers-" + config.deviceId());
    }

    /** Starts heartbeats, device facts and interval totals. */
    void start() {
        long hb = config.heartbeat().toMillis();
        timers.scheduleAtFixedRate(this::heartbeat, hb, hb, TimeUnit.MILLISECONDS);
        long interval = config.telemetryInterval().toMillis();
        timers.scheduleAtFixedRate(this::aggregate, interval, interval, TimeUnit.MILLISECONDS);
        timers.scheduleAtFixedRate(this::facts, 0, 10, TimeUnit.MINUTES);
    }

    Birth birth() {
        Birth.Builder b = Birth.newBuilder().setDeviceId(config.deviceId()).setAgentVersion(EdgeAgent.VERSION)
                .setHardware(DeviceFacts.hardware()).addAllLabels(config.labels())
                .setNextTelemetrySeq(spool.nextSeq());
        if (config.bundleDelta()) {
            b.addCapabilities(DeviceCapabilities.BUNDLE_DELTA);
        }
        ModelSession s = session.current();
        if (s != null) {
            b.setScheduleId(session.defaultScheduleId(s)).addAllDelegates(s.delegates()).setEngine(s.engine());
        }
        session.installed().ifPresent(b::setInstalled);
        return b.build();
    }

    private void heartbeat() {
        if (!online.getAsBoolean()) {
            return;
        }
        String job = activeJob.get();
        DeviceState.Builder s = DeviceState.newBuilder().setDeviceId(config.deviceId())
                .setStatus(!job.isEmpty() ? DeviceStatus.DEVICE_STATUS_INSTALLING
                        : generation.isGenerating() ? DeviceStatus.DEVICE_STATUS_GENERATING : DeviceStatus.DEVICE_STATUS_IDLE)
                .setQueueDepth(generation.queueDepth()).setUptimeMs(clock.millis() - startedAt)
                .setActiveJobId(job).setTelemetrySpooled(spool.size()).setTelemetryDropped(spool.droppedTotal())
                .setHeartbeatIntervalMs((int) config.heartbeat().toMillis());
        ModelSession m = session.current();
        if (m != null) {
            s.setScheduleId(session.defaultScheduleId(m));
        }
        session.installed().ifPresent(s::setInstalled);
        outbox.publish(Channel.STATE, s.build());
    }

    /**
     * Stops creating the periodic records (interval totals, device facts) until {@link
     * #resumeRecords}. Heartbeats, generation records and the spool's sending go on, so the spool
     * drains. Once this returns no periodic record is being created. The latency window keeps
     * collecting: the first totals after resuming cover the paused time.
     */
    void pauseRecords() {
        synchronized (periodic) {
            recordsPaused = true;
        }
    }

    void resumeRecords() {
        synchronized (periodic) {
            recordsPaused = false;
        }
    }

    boolean recordsPaused() {
        synchronized (periodic) {
            return recordsPaused;
        }
    }

    /** Records in the spool, not yet acknowledged by the broker. */
    int spooled() {
        return spool.size();
    }

    /** Device facts (hardware, delegate chain result, memory, load) as a telemetry record. */
    private void facts() {
        synchronized (periodic) {
            if (!recordsPaused) {
                createFacts();
            }
        }
    }

    private void createFacts() {
        io.c2f.proto.v1.DeviceFacts.Builder f = io.c2f.proto.v1.DeviceFacts.newBuilder()
                .setHardware(DeviceFacts.hardware()).setResidentMemoryBytes(DeviceFacts.residentMemoryBytes());
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            f.setCpuLoad(Math.max(0, os.getCpuLoad()));
        }
        ModelSession s = session.current();
        if (s != null) {
            f.addAllDelegates(s.delegates());
        }
        append(Telemetry.newBuilder().setFacts(f).build());
    }

    private void aggregate() {
        synchronized (periodic) {
            if (recordsPaused) {
                return; // the window is not rolled: its totals go out after resuming
            }
            ModelSession m = session.current();
            append(Telemetry.newBuilder().setAggregate(window.roll(clock.millis(),
                    m == null ? "" : session.defaultScheduleId(m))).build());
        }
    }

    /** One generated request: its latency counts in the interval, its record goes out as telemetry. */
    void generated(GenerationRecord record) {
        window.record(record.getTotalMillis());
        append(Telemetry.newBuilder().setGeneration(record).build());
    }

    /** A request answered: a failure (other than a full queue) counts in the interval. */
    void answered(GenerateResult result) {
        if (result.hasError() && result.getError().getCode() != ErrorCode.ERROR_CODE_BUSY) {
            window.recordFailure();
        }
    }

    private void append(Telemetry record) {
        try {
            spool.append(record.toBuilder().setDeviceId(config.deviceId()).build());
            pump.wake();
        } catch (IOException e) {
            LOG.error("{}: telemetry spool write failed: {}", config.deviceId(), e.getMessage());
        }
    }

    @Override
    public void close() {
        timers.close();
    }
}
