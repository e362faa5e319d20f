package io.c2f.agent.generate;

import com.google.protobuf.ByteString;
import io.c2f.agent.engine.ModelSession;
import io.c2f.agent.threads.AgentThreads;
import io.c2f.agent.threads.Lane;
import io.c2f.models.c2f.C2fExecutor;
import io.c2f.models.c2f.C2fPlan;
import io.c2f.models.c2f.C2fResult;
import io.c2f.models.c2f.InvalidPlanException;
import io.c2f.models.c2f.PhaseTiming;
import io.c2f.models.image.PngImages;
import io.c2f.proto.v1.ErrorCode;
import io.c2f.proto.v1.ErrorDetail;
import io.c2f.proto.v1.GenerateRequest;
import io.c2f.proto.v1.GenerateResult;
import io.c2f.proto.v1.GeneratedImage;
import io.c2f.proto.v1.GenerationRecord;
import java.time.Clock;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Generates images on request, one request at a time on its own lane (an interpreter is not
 * thread-safe, and a device has one model to share). Requests wait in a bounded queue;
 * {@link #submit} never blocks: when the queue is full the request is answered BUSY at once, so
 * the MQTT thread is never held up. Each queued request is one task on the lane, which takes the
 * oldest waiting request when it runs: a device with nothing to generate holds no thread.
 */
public final class GenerationService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GenerationService.class);

    private record Job(GenerateRequest request, Consumer<GenerateResult> reply) {
    }

    private final BlockingQueue<Job> queue;
    private final Supplier<ModelSession> session;
    private final Supplier<String> whyNoModel;
    private final Function<ModelSession, String> defaultSchedule;
    private final Consumer<GenerationRecord> telemetry;
    private final Clock clock;
    private final Lane lane;
    private volatile boolean running = true;
    private volatile boolean busy;

    /**
     * @param capacity requests that may wait
     * @param session the current model (null while none is installed)
     * @param defaultSchedule the device's default schedule id for a session (the controller may
     *     have applied one that differs from the bundle's default)
     * @param telemetry receives one record per generated request
     */
    public GenerationService(int capacity, Supplier<ModelSession> session,
            Function<ModelSession, String> defaultSchedule, Consumer<GenerationRecord> telemetry, Clock clock) {
        this(capacity, session, () -> "no model bundle is installed on this device yet", defaultSchedule, telemetry,
                clock);
    }

    /** @param whyNoModel the answer's message while {@code session} gives null */
    public GenerationService(int capacity, Supplier<ModelSession> session, Supplier<String> whyNoModel,
            Function<ModelSession, String> defaultSchedule, Consumer<GenerationRecord> telemetry, Clock clock) {
        this(capacity, session, whyNoModel, defaultSchedule, telemetry, clock, AgentThreads.dedicated());
    }

    /** As the other constructors, on a lane of {@code threads}. */
    public GenerationService(int capacity, Supplier<ModelSession> session, Supplier<String> whyNoModel,
            Function<ModelSession, String> defaultSchedule, Consumer<GenerationRecord> telemetry, Clock clock,
            AgentThreads threads) {
        this.whyNoModel = whyNoModel;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.session = session;
        this.defaultSchedule = defaultSchedule;
        this.telemetry = telemetry;
        this.clock = clock;
        this.lane = threads.lane(AgentThreads.Work.GENERATION, "c2f-generate");
    }

    /** Queues a request, or answers BUSY at once when the queue is full. Never blocks. */
    public boolean submit(GenerateRequest request, Consumer<GenerateResult> reply) {
        if (queue.offer(new Job(request, reply))) {
            lane.execute(this::runNext);
            return true;
        }
        reply.accept(error(request, ErrorCode.ERROR_CODE_BUSY, "generation queue full ("
                + queue.size() + " waiting); retry later"));
        return false;
    }

    /** Requests waiting (not counting the one running). */
    public int queueDepth() {
        return queue.size();
    }

    public boolean isGenerating() {
        return busy;
    }

    /** One turn of the lane: the oldest waiting request (each queued request queued one turn). */
    private void runNext() {
        Job job = running ? queue.poll() : null;
        if (job == null) {
            return;
        }
        busy = true;
        GenerateResult result;
        try {
            result = generate(job.request());
        } catch (RuntimeException | LinkageError e) {
            LOG.error("generation of {} failed", job.request().getRequestId(), e);
            result = error(job.request(), ErrorCode.ERROR_CODE_INTERNAL, "generation failed: " + e);
        } finally {
            busy = false;
        }
        try {
            job.reply().accept(result);
        } catch (RuntimeException e) {
            LOG.warn("could not deliver the result of {}: {}", job.request().getRequestId(), e.toString());
        }
    }

    /** Runs one request now, on the calling thread (the worker, or a local command line). */
    public GenerateResult generate(GenerateRequest request) {
        if (request.getDeadlineMs() != 0 && clock.millis() > request.getDeadlineMs()) {
            return error(request, ErrorCode.ERROR_CODE_TIMEOUT, "deadline passed "
                    + (clock.millis() - request.getDeadlineMs()) + " ms before the request could start");
        }
        ModelSession model = session.get();
        if (model == null) {
            return error(request, ErrorCode.ERROR_CODE_NOT_FOUND, whyNoModel.get());
        }
        String scheduleId = request.getScheduleId().isEmpty() ? defaultSchedule.apply(model) : request.getScheduleId();
        C2fPlan plan = model.schedules().get(scheduleId);
        if (plan == null) {
            return error(request, ErrorCode.ERROR_CODE_NOT_FOUND, "schedule '" + scheduleId + "' is not known; "
                    + "this device has " + new java.util.TreeSet<>(model.schedules().keySet()));
        }
        int count = Math.max(1, request.getCount());
        long[] seeds = new long[count];
        for (int i = 0; i < count; i++) {
            seeds[i] = request.getSeed() + i;
        }
        long startedAt = clock.millis();
        C2fResult run;
        try {
            run = new C2fExecutor(model.denoiser(), model.noiseSchedule()).run(plan, seeds);
        } catch (InvalidPlanException e) {
            return error(request, ErrorCode.ERROR_CODE_UNSUPPORTED, "schedule '" + scheduleId
                    + "' cannot run on this model: " + e.getMessage());
        } catch (io.c2f.models.diffusion.DenoiserException e) {
            return error(request, ErrorCode.ERROR_CODE_INTERNAL, "the model failed: " + e.getMessage());
        }
        long encodeStart = System.nanoTime();
        byte[][] pngs = PngImages.encodeAll(run.images());
        double encodeMillis = (System.nanoTime() - encodeStart) / 1e6;
        GenerationRecord.Builder record = GenerationRecord.newBuilder().setRequestId(request.getRequestId())
                .setScheduleId(scheduleId).setBundleId(model.bundleId()).setSeed(request.getSeed())
                .setStepsLow(plan.switchIndex()).setStepsHigh(plan.steps() - plan.switchIndex())
                .setTotalMillis(run.totalMillis() + encodeMillis).setDelegate(model.denoiser().engine())
                .setEngine(model.engine()).setEngineLink(model.activeLink().getName())
                .setMacs(run.totalMacs()).setStartedAtMs(startedAt).setBatch(count);
        for (PhaseTiming phase : run.phases()) {
            record.addPhases(phase.toProto());
        }
        record.addPhasesBuilder().setPhase("encode").setMillis(encodeMillis);
        GenerationRecord done = record.build();
        GenerateResult.Builder result = GenerateResult.newBuilder().setRequestId(request.getRequestId());
        for (int i = 0; i < count; i++) {
            result.addImages(GeneratedImage.newBuilder().setSeed(seeds[i]).setPng(ByteString.copyFrom(pngs[i]))
                    .setWidth(plan.high().width()).setHeight(plan.high().height()).setRecord(done));
        }
        try {
            telemetry.accept(done);
        } catch (RuntimeException e) {
            LOG.warn("telemetry of {} not recorded: {}", request.getRequestId(), e.toString());
        }
        return result.build();
    }

    private static GenerateResult error(GenerateRequest request, ErrorCode code, String message) {
        return GenerateResult.newBuilder().setRequestId(request.getRequestId())
                .setError(ErrorDetail.newBuilder().setCode(code).setMessage(message)).build();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        lane.close();
    }
}
