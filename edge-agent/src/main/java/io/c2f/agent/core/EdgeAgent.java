package io.c2f.agent.core;

import io.c2f.agent.bundle.BundleInstaller;
import io.c2f.agent.bundle.BundleStore;
import io.c2f.agent.engine.ProbeHealthCheck;
import io.c2f.agent.config.AgentConfig;
import io.c2f.agent.config.ConfigException;
import io.c2f.agent.engine.ModelEngine;
import io.c2f.agent.enrol.Enrolment;
import io.c2f.agent.generate.GenerationService;
import io.c2f.agent.job.AcceptedJobs;
import io.c2f.agent.job.JobOrderGate;
import io.c2f.agent.link.DeviceLink;
import io.c2f.agent.link.LinkSettings;
import io.c2f.agent.link.LinkState;
import io.c2f.agent.telemetry.TelemetryPump;
import io.c2f.agent.telemetry.TelemetrySpool;
import io.c2f.agent.threads.AgentThreads;
import io.c2f.proto.codec.InboundDispatcher;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.v1.Birth;
import io.c2f.proto.v1.BundleChunk;
import io.c2f.proto.v1.ErrorReply;
import io.c2f.proto.v1.GenerateRequest;
import io.c2f.proto.v1.GenerationRecord;
import io.c2f.proto.v1.JobCommand;
import java.io.IOException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One device: wires the MQTT link to the bundle session, the job runner, the generator and the
 * state reporter. The {@link ModelEngine} decides what actually runs the model (TFLite on a real
 * device, a synthetic model in the fleet simulator); everything else, and so the whole protocol,
 * is the same code.
 */
public final class EdgeAgent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EdgeAgent.class);
    public static final String VERSION = "0.1.0";

    private final BundleSession session;
    private final DeviceLink link;
    private final TelemetryPump pump;
    private final TelemetrySpool spool;
    private final GenerationService generation;
    private final JobRunner jobs;
    private final StateReporter reporter;
    private final AgentConfig config;
    private final LinkSettings configured; // the bootstrap login's broker, TLS and timings
    private final Enrolment enrolment; // null: logs in as configured
    private final CompletableFuture<Void> enrolled = new CompletableFuture<>();
    private final AgentThreads threads;
    private volatile boolean closed;

    public EdgeAgent(AgentConfig config, ModelEngine engine, PublicKey controllerKey, Clock clock)
            throws IOException, ConfigException {
        this(config, engine, controllerKey, clock, AgentThreads.dedicated());
    }

    /**
     * A device whose parts run on {@code threads}: {@link AgentThreads#dedicated()} is a real
     * device's threads, the fleet simulator passes pools shared by all its devices. Either way each
     * part runs its tasks in order, one at a time, as on a thread of its own.
     */
    public EdgeAgent(AgentConfig config, ModelEngine engine, PublicKey controllerKey, Clock clock,
            AgentThreads threads) throws IOException, ConfigException {
        this.config = config;
        this.threads = threads;
        Path state = config.stateDir();
        this.enrolment = Enrolment.open(config, new SecureRandom()).orElse(null);
        BundleStore store = new BundleStore(state.resolve("bundles"), controllerKey);
        this.spool = new TelemetrySpool(state.resolve("telemetry"), config.spoolCapacity(), config.spoolDurability());
        this.session = new BundleSession(config.deviceId(), state, engine, store);
        AcceptedJobs accepted = AcceptedJobs.open(state.resolve("jobs").resolve("accepted"), clock);
        JobOrderGate orders = new JobOrderGate(controllerKey, config.fleet(), config.deviceId(), accepted, clock);
        // handlers are registered below, before start() connects: they need what needs the link
        InboundDispatcher dispatcher = new InboundDispatcher();
        LinkState linkState = new LinkState();
        this.configured = config.linkSettings();
        LinkSettings login = enrolment == null ? configured : enrolment.deviceLogin(configured);
        this.link = new DeviceLink(login, this::birth, dispatcher, new DeviceLink.Listener() {
            @Override
            public void online(long bdSeq) {
                backOnline();
            }
        }, linkState, threads);
        Outbox outbox = new Outbox(config.deviceId(), link);
        this.pump = new TelemetryPump(spool, r -> link.publish(Channel.TELEMETRY, r.toBuilder()
                .setDeviceId(config.deviceId()).build()), Duration.ofSeconds(10), Duration.ofSeconds(1), threads);
        this.generation = new GenerationService(config.generateQueue(), session::current, session::whyNoModel,
                session::defaultScheduleId,
                this::generated, clock, threads);
        BundleInstaller installer = new BundleInstaller(store, state.resolve("downloads"), controllerKey, VERSION,
                outbox::requestChunks, new ProbeHealthCheck(engine, session::stage), session::activated,
                Duration.ofSeconds(10), 6, clock, linkState, config.downloadPatience(), config.bundleDelta());
        this.jobs = new JobRunner(config.fleet(), config.deviceId(), orders, accepted, installer, session, outbox, threads);
        this.reporter = new StateReporter(config, clock, spool, pump, session, generation, jobs::activeJob,
                link::isOnline, outbox, threads);
        dispatcher.on(Channel.JOB_NOTIFY, JobCommand.class, (from, cmd) -> jobs.submit(cmd))
                .on(Channel.GENERATE_REQUEST, GenerateRequest.class, (from, req) -> generation.submit(req,
                        result -> {
                            reporter.answered(result);
                            outbox.publish(Channel.GENERATE_RESULT, result);
                        }))
                .on(Channel.BUNDLE_DATA, BundleChunk.class, (from, chunk) -> installer.onChunk(chunk))
                .on(Channel.CONTROLLER_ERROR, ErrorReply.class, (from, e) -> LOG.warn("controller says: {} ({})",
                        e.getError().getMessage(), e.getError().getCode()))
                .onRejected((topic, reason) -> outbox.publish(Channel.DEVICE_ERROR, ErrorReply.newBuilder()
                        .setRequestTopic(topic).setError(reason.toErrorDetail()).build()));
    }

    // the link and the generator are built before the reporter they report through
    private Birth birth() {
        return reporter.birth();
    }

    private void generated(GenerationRecord record) {
        reporter.generated(record);
    }

    private void backOnline() {
        pump.wake();
        jobs.repeatLastOutcome(); // the controller may have missed it while we were away
    }

    /**
     * Connects and starts heartbeats and interval telemetry; a device that must enrol first does so
     * in the background and connects as itself once accepted (see {@link #enrolled()}).
     */
    public void start() {
        if (enrolment == null || enrolment.accepted()) {
            startSession();
            return;
        }
        enrolment.run(configured, VERSION, DeviceFacts.hardware(), config.labels(), threads)
                .whenComplete((v, e) -> {
                    if (e == null) {
                        startSession();
                    } else {
                        enrolled.completeExceptionally(e instanceof CompletionException ? e.getCause() : e);
                    }
                });
    }

    private synchronized void startSession() {
        if (closed) {
            return;
        }
        link.start();
        reporter.start();
        enrolled.complete(null);
    }

    /**
     * Completes when the device logs in as itself (at once for a device that needs no enrolment);
     * fails with {@link io.c2f.agent.enrol.EnrolmentRefusedException} when its enrolment was refused.
     */
    public CompletableFuture<Void> enrolled() {
        return enrolled;
    }

    /** The configuration this agent runs with. */
    public AgentConfig config() {
        return config;
    }

    public boolean isOnline() {
        return link.isOnline();
    }

    /**
     * Stops creating periodic telemetry records (interval totals, device facts) until {@link
     * #resumeRecords()}; heartbeats, generation records and sending the spool go on. The fleet
     * simulator's console uses it to end a run with every record created also sent.
     */
    public void pauseRecords() {
        reporter.pauseRecords();
    }

    public void resumeRecords() {
        reporter.resumeRecords();
    }

    public boolean recordsPaused() {
        return reporter.recordsPaused();
    }

    /** Telemetry records in the spool, not yet acknowledged by the broker. */
    public int telemetrySpooled() {
        return reporter.spooled();
    }

    /** The generator (for the local command line and tests). */
    public GenerationService generation() {
        return generation;
    }

    @Override
    public void close() throws InterruptedException {
        synchronized (this) {
            closed = true;
        }
        if (enrolment != null) {
            enrolment.close();
        }
        reporter.close();
        jobs.close();
        generation.close();
        pump.close();
        link.close();
        session.close();
        try {
            spool.close(); // last: nothing appends or acknowledges any more
        } catch (IOException e) {
            LOG.warn("writing the telemetry spool of {} at close failed: {}", config.deviceId(), e.getMessage());
        }
    }
}
