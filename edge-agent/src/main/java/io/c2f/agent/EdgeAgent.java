package io.c2f.agent;

import io.c2f.agent.bundle.BundleInstaller;
import io.c2f.agent.bundle.BundleStore;
import io.c2f.agent.bundle.InstalledSlot;
import io.c2f.agent.bundle.ProbeHealthCheck;
import io.c2f.agent.bundle.Slot;
import io.c2f.agent.config.AgentConfig;
import io.c2f.agent.engine.DeviceFacts;
import io.c2f.agent.engine.ModelEngine;
import io.c2f.agent.engine.ModelSession;
import io.c2f.agent.fs.AtomicFiles;
import io.c2f.agent.generate.GenerationService;
import io.c2f.agent.job.AcceptedJobs;
import io.c2f.agent.job.JobOrderGate;
import io.c2f.agent.job.OrderRefusedException;
import io.c2f.agent.link.DeviceLink;
import io.c2f.agent.link.LinkSettings;
import io.c2f.agent.link.LinkState;
import io.c2f.agent.telemetry.LatencyWindow;
import io.c2f.agent.telemetry.TelemetryPump;
import io.c2f.agent.telemetry.TelemetrySpool;
import io.c2f.models.c2f.C2fPlan;
import io.c2f.proto.codec.InboundDispatcher;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.v1.ApplySchedule;
import io.c2f.proto.v1.Birth;
import io.c2f.proto.v1.BundleChunk;
import io.c2f.proto.v1.BundleChunkRequest;
import io.c2f.proto.v1.DeviceState;
import io.c2f.proto.v1.DeviceStatus;
import io.c2f.proto.v1.ErrorCode;
import io.c2f.proto.v1.ErrorDetail;
import io.c2f.proto.v1.ErrorReply;
import io.c2f.proto.v1.GenerateRequest;
import io.c2f.proto.v1.GenerationRecord;
import io.c2f.proto.v1.InstallBundle;
import io.c2f.proto.v1.InstalledBundle;
import io.c2f.proto.v1.JobCommand;
import io.c2f.proto.v1.JobOrder;
import io.c2f.proto.v1.JobState;
import io.c2f.proto.v1.JobStatusUpdate;
import io.c2f.proto.v1.Schedule;
import io.c2f.proto.v1.Telemetry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One device: links the MQTT session, the bundle slots and installer, the generator, the
 * telemetry spool and the heartbeat. The {@link ModelEngine} decides what actually runs the
 * model (TFLite on a real device, a synthetic model in the fleet simulator); everything else,
 * and so the whole protocol, is the same code.
 */
public final class EdgeAgent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EdgeAgent.class);
    public static final String VERSION = "0.1.0";

    private final AgentConfig config;
    private final ModelEngine engine;
    private final Clock clock;
    private final BundleStore store;
    private final TelemetrySpool spool;
    private final AtomicReference<ModelSession> session = new AtomicReference<>();
    private final AtomicReference<String> appliedSchedule = new AtomicReference<>();
    private final LatencyWindow window;
    private final ExecutorService jobs;
    private final ScheduledExecutorService timers;
    private final long startedAt;
    private final GenerationService generation;
    private final BundleInstaller installer;
    private final TelemetryPump pump;
    private final DeviceLink link;
    private final AcceptedJobs accepted;
    private final JobOrderGate orders;
    private final LinkState linkState = new LinkState();
    private volatile String activeJob = "";
    private volatile JobStatusUpdate lastFinal;

    public EdgeAgent(AgentConfig config, ModelEngine engine, PublicKey controllerKey, Clock clock)
            throws IOException, io.c2f.agent.config.ConfigException {
        this.config = config;
        this.engine = engine;
        this.clock = clock;
        this.startedAt = clock.millis();
        this.window = new LatencyWindow(startedAt);
        Path state = config.stateDir();
        this.store = new BundleStore(state.resolve("bundles"), controllerKey);
        this.spool = new TelemetrySpool(state.resolve("telemetry"), config.spoolCapacity());
        loadActiveBundle();
        loadAppliedSchedule();
        this.accepted = AcceptedJobs.open(state.resolve("jobs").resolve("accepted"), clock);
        this.orders = new JobOrderGate(controllerKey, config.fleet(), config.deviceId(), accepted, clock);
        this.jobs = Executors.newSingleThreadExecutor(daemon("c2f-jobs-" + config.deviceId()));
        this.timers = Executors.newSingleThreadScheduledExecutor(daemon("c2f-timers-" + config.deviceId()));
        this.generation = new GenerationService(config.generateQueue(), session::get, this::defaultScheduleId,
                this::recordGeneration, clock);
        this.installer = new BundleInstaller(store, state.resolve("downloads"), controllerKey, VERSION,
                this::requestChunks, new ProbeHealthCheck(engine, this::stage), this::activated,
                Duration.ofSeconds(10), 6, clock, linkState, config.downloadPatience());
        InboundDispatcher dispatcher = new InboundDispatcher()
                .on(Channel.JOB_NOTIFY, JobCommand.class, (from, cmd) -> jobs.execute(() -> runJob(cmd)))
                .on(Channel.GENERATE_REQUEST, GenerateRequest.class, (from, req) -> generation.submit(req,
                        result -> {
                            if (result.hasError() && result.getError().getCode() != ErrorCode.ERROR_CODE_BUSY) {
                                window.recordFailure();
                            }
                            publish(Channel.GENERATE_RESULT, result);
                        }))
                .on(Channel.BUNDLE_DATA, BundleChunk.class, (from, chunk) -> installer.onChunk(chunk))
                .on(Channel.CONTROLLER_ERROR, ErrorReply.class, (from, e) -> LOG.warn("controller says: {} ({})",
                        e.getError().getMessage(), e.getError().getCode()))
                .onRejected((topic, reason) -> publish(Channel.DEVICE_ERROR, ErrorReply.newBuilder()
                        .setRequestTopic(topic).setError(reason.toErrorDetail()).build()));
        LinkSettings settings = config.linkSettings();
        this.pump = new TelemetryPump(spool, r -> link().publish(Channel.TELEMETRY, r.toBuilder()
                .setDeviceId(config.deviceId()).build()), Duration.ofSeconds(10), Duration.ofSeconds(1));
        this.link = new DeviceLink(settings, this::birth, dispatcher, new DeviceLink.Listener() {
            @Override
            public void online(long bdSeq) {
                pump.wake();
                JobStatusUpdate last = lastFinal;
                if (last != null) {
                    publish(Channel.JOB_STATUS, last); // the controller may have missed it while we were away
                }
            }
        }, linkState);
    }

    private DeviceLink link() {
        return link;
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** Connects and starts heartbeats and interval telemetry. */
    public void start() {
        link.start();
        long hb = config.heartbeat().toMillis();
        timers.scheduleAtFixedRate(this::heartbeat, hb, hb, TimeUnit.MILLISECONDS);
        timers.scheduleAtFixedRate(this::aggregate, 60, 60, TimeUnit.SECONDS);
        timers.scheduleAtFixedRate(this::facts, 0, 10, TimeUnit.MINUTES);
    }

    /** Device facts (hardware, delegate chain result, memory, load) as a telemetry record. */
    private void facts() {
        io.c2f.proto.v1.DeviceFacts.Builder f = io.c2f.proto.v1.DeviceFacts.newBuilder()
                .setHardware(DeviceFacts.hardware()).setResidentMemoryBytes(DeviceFacts.residentMemoryBytes());
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            f.setCpuLoad(Math.max(0, os.getCpuLoad()));
        }
        ModelSession s = session.get();
        if (s != null) {
            f.addAllDelegates(s.delegates());
        }
        appendTelemetry(Telemetry.newBuilder().setFacts(f).build());
    }

    public boolean isOnline() {
        return link.isOnline();
    }

    public String deviceId() {
        return config.deviceId();
    }

    /** The generator (for the local command line and tests). */
    public GenerationService generation() {
        return generation;
    }

    public Optional<ModelSession> session() {
        return Optional.ofNullable(session.get());
    }

    private void loadActiveBundle() {
        try {
            Optional<Slot> active = store.activeSlot();
            if (active.isEmpty()) {
                LOG.info("{}: no bundle installed yet", config.deviceId());
                return;
            }
            for (Slot slot : List.of(active.get(), active.get().other())) {
                try {
                    InstalledSlot installed = store.load(slot);
                    session.set(engine.open(installed));
                    if (slot != active.get()) {
                        LOG.warn("{}: active slot {} is unusable, running slot {}", config.deviceId(),
                                active.get().id(), slot.id());
                        store.activate(slot);
                    }
                    return;
                } catch (Exception e) {
                    LOG.error("{}: slot {} cannot run: {}", config.deviceId(), slot.id(), e.getMessage());
                }
            }
        } catch (IOException e) {
            LOG.error("{}: cannot read the bundle store: {}", config.deviceId(), e.getMessage());
        }
    }

    private Path appliedScheduleFile() {
        return config.stateDir().resolve("schedule/applied.pb");
    }

    private void loadAppliedSchedule() {
        Path f = appliedScheduleFile();
        ModelSession s = session.get();
        if (!Files.exists(f) || s == null) {
            return;
        }
        try {
            Schedule schedule = Schedule.parseFrom(Files.readAllBytes(f));
            useSchedule(s, schedule);
        } catch (Exception e) {
            LOG.warn("{}: ignoring the stored schedule: {}", config.deviceId(), e.getMessage());
        }
    }

    private void useSchedule(ModelSession s, Schedule schedule) {
        C2fPlan plan = C2fPlan.fromProto(schedule);
        plan.validateFor(s.noiseSchedule().trainTimesteps(), s.denoiser().resolutions());
        java.util.Map<String, C2fPlan> plans = new java.util.HashMap<>(s.schedules());
        plans.put(schedule.getScheduleId(), plan);
        session.set(s.withSchedules(plans));
        appliedSchedule.set(schedule.getScheduleId());
    }

    private String defaultScheduleId(ModelSession s) {
        String applied = appliedSchedule.get();
        return applied != null && s.schedules().containsKey(applied) ? applied : s.defaultScheduleId();
    }

    private Birth birth() {
        Birth.Builder b = Birth.newBuilder().setDeviceId(config.deviceId()).setAgentVersion(VERSION)
                .setHardware(DeviceFacts.hardware()).addAllLabels(config.labels())
                .setNextTelemetrySeq(spool.nextSeq());
        ModelSession s = session.get();
        if (s != null) {
            b.setScheduleId(defaultScheduleId(s)).addAllDelegates(s.delegates());
        }
        installed().ifPresent(b::setInstalled);
        return b.build();
    }

    private Optional<InstalledBundle> installed() {
        try {
            Optional<Slot> slot = store.activeSlot();
            if (slot.isEmpty()) {
                return Optional.empty();
            }
            InstalledSlot s = store.load(slot.get());
            return Optional.of(InstalledBundle.newBuilder().setBundleId(s.manifest().getBundleId())
                    .setVersion(s.manifest().getVersion()).setModelSha256(s.manifest().getModel().getModelSha256())
                    .setSlot(slot.get().id()).build());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private void heartbeat() {
        if (!link.isOnline()) {
            return;
        }
        DeviceState.Builder s = DeviceState.newBuilder().setDeviceId(config.deviceId())
                .setStatus(!activeJob.isEmpty() ? DeviceStatus.DEVICE_STATUS_INSTALLING
                        : generation.isGenerating() ? DeviceStatus.DEVICE_STATUS_GENERATING : DeviceStatus.DEVICE_STATUS_IDLE)
                .setQueueDepth(generation.queueDepth()).setUptimeMs(clock.millis() - startedAt)
                .setActiveJobId(activeJob).setTelemetrySpooled(spool.size()).setTelemetryDropped(spool.droppedTotal())
                .setHeartbeatIntervalMs((int) config.heartbeat().toMillis());
        ModelSession m = session.get();
        if (m != null) {
            s.setScheduleId(defaultScheduleId(m));
        }
        installed().ifPresent(s::setInstalled);
        publish(Channel.STATE, s.build());
    }

    private void aggregate() {
        ModelSession m = session.get();
        appendTelemetry(Telemetry.newBuilder().setAggregate(window.roll(clock.millis(),
                m == null ? "" : defaultScheduleId(m))).build());
    }

    private void recordGeneration(GenerationRecord record) {
        window.record(record.getTotalMillis());
        appendTelemetry(Telemetry.newBuilder().setGeneration(record).build());
    }

    private void appendTelemetry(Telemetry record) {
        try {
            spool.append(record.toBuilder().setDeviceId(config.deviceId()).build());
            pump.wake();
        } catch (IOException e) {
            LOG.error("{}: telemetry spool write failed: {}", config.deviceId(), e.getMessage());
        }
    }

    private void requestChunks(String bundleId, List<Integer> indices) throws Exception {
        try {
            publish(Channel.BUNDLE_GET, BundleChunkRequest.newBuilder().setRequestId(bundleId + "@" + indices.get(0))
                    .setBundleId(bundleId).addAllIndices(indices).build()).get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            // a slow broker ack (busy host) is not a failed install: the installer asks again for
            // whatever is still missing, and gives up only after its rounds without progress
            LOG.warn("{}: chunk request for {} not acknowledged within 10 s; will ask again", config.deviceId(), bundleId);
        }
    }

    /** Keeps the session the health probe opened, to switch to it without loading twice. */
    private final AtomicReference<ModelSession> staged = new AtomicReference<>();

    private void stage(ModelSession probed) {
        ModelSession old = staged.getAndSet(probed);
        if (old != null) {
            old.close();
        }
    }

    private void activated(InstalledSlot slot) {
        ModelSession next = staged.getAndSet(null);
        if (next == null) {
            try {
                next = engine.open(slot);
            } catch (Exception e) {
                throw new IllegalStateException("activated slot " + slot.slot().id() + " cannot be opened", e);
            }
        }
        appliedSchedule.set(null); // a new bundle brings its own default schedule
        ModelSession old = session.getAndSet(next);
        if (old != null) {
            old.close();
        }
        try {
            Files.deleteIfExists(appliedScheduleFile());
        } catch (IOException e) {
            LOG.warn("{}: cannot remove the old applied schedule: {}", config.deviceId(), e.getMessage());
        }
    }

    /** Runs what the command's verified signed order says; anything else of the command is ignored. */
    private void runJob(JobCommand cmd) {
        JobOrder order;
        try {
            order = orders.admit(cmd);
        } catch (OrderRefusedException e) {
            // the order is not the controller's (or not for now, or not for us): its job id proves
            // nothing, so the refusal goes to the device's error channel, not to that job's status
            LOG.warn("{}: job command {} refused: {}", config.deviceId(), cmd.getJobId(), e.getMessage());
            publish(Channel.DEVICE_ERROR, ErrorReply.newBuilder().setRequestId(cmd.getJobId())
                    .setRequestTopic(io.c2f.proto.topic.Topics.fleet(config.fleet()).device(config.deviceId(),
                            Channel.JOB_NOTIFY))
                    .setError(e.toErrorDetail()).build());
            // a finished job's order again: its outcome again (the controller may have missed it)
            e.earlierOutcome().ifPresent(o -> publish(Channel.JOB_STATUS, o));
            return;
        }
        String jobId = order.getJobId();
        activeJob = jobId;
        try {
            JobStatusUpdate done = switch (order.getActionCase()) {
                // the manifest is the command's (the gate checked it is the one the order names); the
                // rollback permission and the timeout are the signed order's
                case INSTALL_BUNDLE -> installer.install(jobId, InstallBundle.newBuilder()
                                .setManifest(cmd.getInstallBundle().getManifest())
                                .setRollback(order.getInstallBundle().getRollback()).build(),
                        Duration.ofMillis(order.getStepTimeoutMs()), u -> publish(Channel.JOB_STATUS, u));
                case APPLY_SCHEDULE -> applySchedule(jobId, order.getApplySchedule());
                case CANCEL -> finalStatus(jobId, JobState.JOB_STATE_FAILED, ErrorCode.ERROR_CODE_UNSUPPORTED,
                        "job " + order.getCancel().getJobId() + " cannot be canceled: jobs run one at a time and it "
                                + "is already finished or running");
                case ACTION_NOT_SET -> finalStatus(jobId, JobState.JOB_STATE_REJECTED,
                        ErrorCode.ERROR_CODE_INVALID_ARGUMENT, "job carries no action");
            };
            lastFinal = withDevice(done);
            try {
                accepted.finish(jobId, lastFinal);
            } catch (IOException e) {
                LOG.error("{}: cannot record the outcome of job {}: {}", config.deviceId(), jobId, e.getMessage());
            }
        } finally {
            activeJob = "";
        }
    }

    private JobStatusUpdate applySchedule(String jobId, ApplySchedule apply) {
        ModelSession s = session.get();
        if (s == null) {
            return finalStatus(jobId, JobState.JOB_STATE_REJECTED, ErrorCode.ERROR_CODE_NOT_FOUND,
                    "no model is installed to apply schedule '" + apply.getSchedule().getScheduleId() + "' to");
        }
        try {
            useSchedule(s, apply.getSchedule());
            AtomicFiles.write(appliedScheduleFile(), apply.getSchedule().toByteArray());
        } catch (IllegalArgumentException e) {
            return finalStatus(jobId, JobState.JOB_STATE_REJECTED, ErrorCode.ERROR_CODE_INVALID_ARGUMENT,
                    "schedule '" + apply.getSchedule().getScheduleId() + "' refused, keeping '" + defaultScheduleId(s)
                            + "': " + e.getMessage());
        } catch (IOException e) {
            return finalStatus(jobId, JobState.JOB_STATE_FAILED, ErrorCode.ERROR_CODE_INTERNAL,
                    "schedule applied but not stored: " + e.getMessage());
        }
        LOG.info("{}: default schedule is now {} ({})", config.deviceId(), apply.getSchedule().getScheduleId(),
                apply.getReason());
        JobStatusUpdate ok = withDevice(JobStatusUpdate.newBuilder().setJobId(jobId)
                .setState(JobState.JOB_STATE_SUCCEEDED).setProgressPercent(100)
                .putDetails("schedule_id", apply.getSchedule().getScheduleId()).build());
        publish(Channel.JOB_STATUS, ok);
        return ok;
    }

    private JobStatusUpdate finalStatus(String jobId, JobState state, ErrorCode code, String message) {
        JobStatusUpdate u = withDevice(JobStatusUpdate.newBuilder().setJobId(jobId).setState(state)
                .setError(ErrorDetail.newBuilder().setCode(code).setMessage(message)).build());
        publish(Channel.JOB_STATUS, u);
        return u;
    }

    private JobStatusUpdate withDevice(JobStatusUpdate u) {
        return u.toBuilder().setDeviceId(config.deviceId()).build();
    }

    private java.util.concurrent.CompletableFuture<Void> publish(Channel channel, com.google.protobuf.Message m) {
        com.google.protobuf.Message msg = m;
        if (m instanceof JobStatusUpdate u) {
            msg = withDevice(u);
        }
        return link.publish(channel, msg).whenComplete((v, e) -> {
            if (e != null) {
                LOG.debug("{}: {} not sent: {}", config.deviceId(), channel, e.toString());
            }
        });
    }

    @Override
    public void close() throws Exception {
        timers.shutdownNow();
        jobs.shutdownNow();
        generation.close();
        pump.close();
        link.close();
        ModelSession s = session.getAndSet(null);
        if (s != null) {
            s.close();
        }
    }
}
