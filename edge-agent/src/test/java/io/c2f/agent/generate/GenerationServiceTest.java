package io.c2f.agent.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.agent.engine.ModelSession;
import io.c2f.models.synthetic.SyntheticDenoiser;
import io.c2f.models.c2f.C2fPlan;
import io.c2f.models.c2f.Interpolation;
import io.c2f.models.c2f.SwitchMethod;
import io.c2f.models.diffusion.NoiseSchedule;
import io.c2f.models.diffusion.TimestepSpacing;
import io.c2f.models.image.PngImages;
import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;
import io.c2f.proto.v1.ErrorCode;
import io.c2f.proto.v1.GenerateRequest;
import io.c2f.proto.v1.GenerateResult;
import io.c2f.proto.v1.GenerationRecord;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class GenerationServiceTest {
    private static final Resolution LOW = Resolution.square(8);
    private static final Resolution HIGH = Resolution.square(16);
    private final AtomicLong nanosPerMegaMac = new AtomicLong(0);
    private final List<GenerationRecord> telemetry = new CopyOnWriteArrayList<>();

    private ModelSession session() {
        NoiseSchedule noise = NoiseSchedule.ddpmLinear();
        SyntheticDenoiser denoiser = new SyntheticDenoiser(noise, Map.of(LOW, 1_000_000L, HIGH, 4_000_000L),
                nanosPerMegaMac::get);
        int[] steps = TimestepSpacing.uniform(6, 1000);
        C2fPlan c2f = new C2fPlan(steps, 3, LOW, HIGH, SwitchMethod.UPSAMPLE_XT_VARIANCE_CORRECTED,
                Interpolation.NEAREST, 0f);
        C2fPlan full = C2fPlan.fullResolution(steps, HIGH, 0f);
        return new ModelSession("b1", denoiser, noise, Map.of("c2f-k6", c2f, "full-k6", full), "c2f-k6");
    }

    private GenerationService service(int capacity, ModelSession model) {
        return new GenerationService(capacity, () -> model, ModelSession::defaultScheduleId, telemetry::add,
                Clock.systemUTC());
    }

    private static GenerateRequest request(String id, long seed, int count) {
        return GenerateRequest.newBuilder().setRequestId(id).setSeed(seed).setCount(count).build();
    }

    @Test
    void aRequestGivesPngsAtTheHighResolutionWithTimings() throws Exception {
        BlockingQueue<GenerateResult> results = new LinkedBlockingQueue<>();
        try (GenerationService s = service(4, session())) {
            assertTrue(s.submit(request("r1", 7, 2), results::add));
            GenerateResult r = results.poll(10, TimeUnit.SECONDS);
            assertEquals("r1", r.getRequestId());
            assertEquals(2, r.getImagesCount());
            ImageBatch img = PngImages.decode(r.getImages(0).getPng().toByteArray());
            assertEquals(HIGH, img.resolution());
            assertEquals(8, r.getImages(1).getSeed());
            GenerationRecord rec = r.getImages(0).getRecord();
            assertEquals(3, rec.getStepsLow());
            assertEquals(3, rec.getStepsHigh());
            assertEquals("c2f-k6", rec.getScheduleId());
            assertEquals(2L * (3 * 1_000_000L + 3 * 4_000_000L), rec.getMacs());
            assertEquals(List.of("low", "switch", "high", "encode"),
                    rec.getPhasesList().stream().map(p -> p.getPhase()).toList());
            assertEquals(1, telemetry.size());
        }
    }

    @Test
    void theSameSeedGivesTheSameImage() throws Exception {
        ModelSession model = session();
        try (GenerationService s = service(4, model)) {
            GenerateResult a = s.generate(request("a", 42, 1));
            GenerateResult b = s.generate(request("b", 42, 1));
            assertEquals(a.getImages(0).getPng(), b.getImages(0).getPng());
            GenerateResult c = s.generate(request("c", 43, 1));
            assertFalse(a.getImages(0).getPng().equals(c.getImages(0).getPng()));
        }
    }

    @Test
    void aFullQueueAnswersBusyAtOnceWithoutBlocking() throws Exception {
        nanosPerMegaMac.set(20_000_000); // 20 ms per million MACs: each request takes a while
        BlockingQueue<GenerateResult> results = new LinkedBlockingQueue<>();
        try (GenerationService s = service(1, session())) {
            long start = System.nanoTime();
            int accepted = 0;
            for (int i = 0; i < 5; i++) {
                if (s.submit(request("r" + i, i, 1), results::add)) {
                    accepted++;
                }
            }
            assertTrue((System.nanoTime() - start) < TimeUnit.SECONDS.toNanos(1), "submit must not block");
            assertTrue(accepted <= 2, "one running + one queued at most, got " + accepted);
            GenerateResult busy = results.poll(1, TimeUnit.SECONDS);
            assertEquals(ErrorCode.ERROR_CODE_BUSY, busy.getError().getCode());
            assertTrue(busy.getError().getMessage().startsWith("generation queue full"), busy.getError().getMessage());
        }
    }

    @Test
    void unknownScheduleAndMissingModelAreNamed() throws Exception {
        try (GenerationService s = service(2, session())) {
            GenerateResult r = s.generate(request("r", 1, 1).toBuilder().setScheduleId("nope").build());
            assertEquals(ErrorCode.ERROR_CODE_NOT_FOUND, r.getError().getCode());
            assertEquals("schedule 'nope' is not known; this device has [c2f-k6, full-k6]", r.getError().getMessage());
        }
        try (GenerationService s = new GenerationService(2, () -> null, ModelSession::defaultScheduleId,
                telemetry::add, Clock.systemUTC())) {
            assertEquals("no model bundle is installed on this device yet",
                    s.generate(request("r", 1, 1)).getError().getMessage());
        }
    }

    @Test
    void aRequestPastItsDeadlineIsNotRun() throws Exception {
        try (GenerationService s = service(2, session())) {
            GenerateResult r = s.generate(request("r", 1, 1).toBuilder()
                    .setDeadlineMs(System.currentTimeMillis() - 1000).build());
            assertEquals(ErrorCode.ERROR_CODE_TIMEOUT, r.getError().getCode());
        }
    }

    @Test
    void aFailingModelGivesAnInternalErrorNotACrash() throws Exception {
        NoiseSchedule noise = NoiseSchedule.ddpmLinear();
        SyntheticDenoiser flaky = new SyntheticDenoiser(noise, Map.of(LOW, 1L, HIGH, 4L), () -> 0, 1.0, 1);
        ModelSession model = new ModelSession("b1", flaky, noise,
                Map.of("full", C2fPlan.fullResolution(TimestepSpacing.uniform(4, 1000), HIGH, 0f)), "full");
        try (GenerationService s = service(2, model)) {
            GenerateResult r = s.generate(request("r", 1, 1));
            assertEquals(ErrorCode.ERROR_CODE_INTERNAL, r.getError().getCode());
            assertTrue(r.getError().getMessage().startsWith("the model failed: simulated fault"), r.getError().getMessage());
            assertTrue(s.generate(request("r2", 1, 1)).hasError(), "and the service keeps answering");
        }
    }
}
