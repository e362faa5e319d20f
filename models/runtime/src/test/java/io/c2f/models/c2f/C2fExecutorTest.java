package io.c2f.models.c2f;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.models.diffusion.DdimSampler;
import io.c2f.models.diffusion.Denoiser;
import io.c2f.models.diffusion.GaussianDataDenoiser;
import io.c2f.models.diffusion.NoiseSchedule;
import io.c2f.models.diffusion.TimestepSpacing;
import io.c2f.models.synthetic.TwoScaleGaussianDenoiser;
import io.c2f.models.noise.GaussianNoise;
import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;
import io.c2f.proto.v1.PhaseLatency;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class C2fExecutorTest {
    static final NoiseSchedule SCHEDULE = NoiseSchedule.ddpmLinear();
    static final Resolution LOW = Resolution.square(8);
    static final Resolution HIGH = Resolution.square(16);
    static final double S = 0.3;

    static GaussianDataDenoiser model(Resolution... resolutions) {
        return new GaussianDataDenoiser(SCHEDULE, S, resolutions);
    }

    static C2fPlan plan(int[] ts, int switchIndex, SwitchMethod method, Interpolation interpolation, float eta) {
        return new C2fPlan(ts, switchIndex, LOW, HIGH, method, interpolation, eta);
    }

    static double mse(ImageBatch a, ImageBatch b) {
        double sum = 0;
        for (int i = 0; i < a.data().length; i++) {
            double d = a.data()[i] - b.data()[i];
            sum += d * d;
        }
        return sum / a.data().length;
    }

    @Test
    void withoutSwitchItIsTheReferenceSamplerBitForBit() throws Exception {
        GaussianDataDenoiser m = model(HIGH);
        long[] seeds = {3, 1, 4, 1, 5};
        int[] ts = TimestepSpacing.quadratic(12, 1000);
        for (float eta : new float[] {0f, 0.5f, 1f}) {
            C2fResult r = new C2fExecutor(m, SCHEDULE).run(C2fPlan.fullResolution(ts, HIGH, eta), seeds);
            ImageBatch reference = new DdimSampler(m, SCHEDULE).sample(ts, HIGH, seeds, eta);
            assertArrayEquals(reference.data(), r.images().data(), "eta " + eta);
            assertEquals(List.of(PhaseTiming.HIGH), r.phases().stream().map(PhaseTiming::phase).toList());
        }
    }

    @Test
    void sameSeedSameImageWhateverTheBatch() throws Exception {
        C2fExecutor ex = new C2fExecutor(model(LOW, HIGH), SCHEDULE);
        C2fPlan p = plan(TimestepSpacing.uniform(10, 1000), 4, SwitchMethod.UPSAMPLE_XT_VARIANCE_CORRECTED,
                Interpolation.BILINEAR, 0.3f);
        ImageBatch a = ex.run(p, new long[] {8, 9}).images();
        ImageBatch b = ex.run(p, new long[] {8, 9}).images();
        ImageBatch c = ex.run(p, new long[] {9}).images();
        assertArrayEquals(a.data(), b.data());
        assertArrayEquals(a.image(1).data(), c.data());
        assertFalse(java.util.Arrays.equals(a.image(0).data(), c.data()));
    }

    @Test
    void oneBatchedCallPerStepAtThePlannedResolution() throws Exception {
        GaussianDataDenoiser m = model(LOW, HIGH);
        int[] ts = TimestepSpacing.uniform(6, 1000);
        C2fResult r = new C2fExecutor(m, SCHEDULE).run(plan(ts, 2, SwitchMethod.RENOISE_X0,
                Interpolation.NEAREST, 0f), new long[] {1, 2, 3});
        assertEquals(List.of("8x8x3@833", "8x8x3@666", "16x16x3@500", "16x16x3@333", "16x16x3@166", "16x16x3@0"),
                m.calls());
        assertEquals(HIGH, r.images().resolution());
        assertEquals(3, r.images().batch());
        List<PhaseTiming> phases = r.phases();
        assertEquals(List.of("low", "switch", "high"), phases.stream().map(PhaseTiming::phase).toList());
        assertEquals(2, phases.get(0).steps());
        assertEquals(LOW, phases.get(0).resolution());
        assertEquals(1000L * 64 * 3 * 2, phases.get(0).macs());
        assertEquals(0, phases.get(1).steps());
        assertEquals(0L, phases.get(1).macs());
        assertEquals(4, phases.get(2).steps());
        assertEquals(1000L * 256 * 3 * 4, phases.get(2).macs());
        assertEquals(1000L * 3 * (64 * 2 + 256 * 4), r.totalMacs());
        assertEquals("analytic-gaussian", r.engine());
        assertTrue(r.totalMillis() >= 0);
        PhaseLatency proto = phases.get(0).toProto();
        assertEquals("low", proto.getPhase());
        assertEquals(8, proto.getResolution().getWidth());
        assertEquals(2, proto.getSteps());
    }

    @Test
    void snrMatchedLowStepsCallTheModelAtTheMatchedTimes() throws Exception {
        GaussianDataDenoiser m = model(LOW, HIGH);
        int[] ts = TimestepSpacing.uniform(6, 1000);
        C2fPlan p = plan(ts, 2, SwitchMethod.UPSAMPLE_XT_VARIANCE_CORRECTED, Interpolation.NEAREST, 0f)
                .withSwitch(SwitchMethod.UPSAMPLE_XT_VARIANCE_CORRECTED, Interpolation.NEAREST,
                        SwitchNoise.CONTINUOUS, LowPhaseTime.SNR_MATCHED);
        C2fResult r = new C2fExecutor(m, SCHEDULE).run(p, new long[] {1, 2, 3});
        // 8x8 from 16x16: 4 pixels per block
        int t0 = LowPhaseTimes.modelTime(LowPhaseTime.SNR_MATCHED, SCHEDULE, 833, 4);
        int t1 = LowPhaseTimes.modelTime(LowPhaseTime.SNR_MATCHED, SCHEDULE, 666, 4);
        assertTrue(t0 < 833 && t1 < 666 && t1 < t0, t0 + ", " + t1);
        assertEquals(List.of("8x8x3@" + t0, "8x8x3@" + t1, "16x16x3@500", "16x16x3@333", "16x16x3@166",
                "16x16x3@0"), m.calls());
        ImageBatch same = new C2fExecutor(model(LOW, HIGH), SCHEDULE).run(plan(ts, 2,
                SwitchMethod.UPSAMPLE_XT_VARIANCE_CORRECTED, Interpolation.NEAREST, 0f), new long[] {1, 2, 3}).images();
        double diff = 0;
        for (int i = 0; i < same.data().length; i++) {
            diff = Math.max(diff, Math.abs(same.data()[i] - r.images().data()[i]));
        }
        assertTrue(diff > 1e-3, "the matched low phase is another trajectory");
        assertEquals(1000L * 3 * (64 * 2 + 256 * 4), r.totalMacs(), "and costs the same");
    }

    @Test
    void lowResolutionStartIsThePooledFullResolutionNoise() throws Exception {
        long[] seeds = {21, 22};
        List<ImageBatch> inputs = new ArrayList<>();
        List<Integer> steps = new ArrayList<>();
        TrajectoryObserver observer = (i, t, res, xt, x0) -> {
            inputs.add(xt);
            steps.add(i);
            assertEquals(res, xt.resolution());
            assertEquals(res, x0.resolution());
        };
        new C2fExecutor(model(LOW, HIGH), SCHEDULE).run(plan(TimestepSpacing.uniform(5, 1000), 2,
                SwitchMethod.RENOISE_X0, Interpolation.NEAREST, 0f), seeds, observer);
        ImageBatch full = GaussianNoise.normal(seeds, GaussianNoise.STREAM_INITIAL, HIGH, 3);
        assertArrayEquals(Resampling.avgPoolScaled(full, LOW, 2.0).data(), inputs.get(0).data());
        assertEquals(List.of(0, 1, 2, 3, 4), steps);
    }

    /**
     * The state the executor builds at the switch decomposes as METHOD.md says. RENOISE: its noise is
     * the fresh stream-1 noise. VARIANCE_CORRECTED: its block means carry the low-resolution noise
     * (f avgpool(n_h) = n_l) and its detail is the detail of the fresh noise.
     */
    @Test
    void switchStateDecomposesIntoUpsampledX0AndWhiteNoise() throws Exception {
        long[] seeds = C2fSwitchTest.seeds(64);
        int[] ts = TimestepSpacing.uniform(10, 1000);
        int s = 4;
        double abar = SCHEDULE.alphaBar(ts[s]);
        C2fExecutor ex = new C2fExecutor(model(LOW, HIGH), SCHEDULE);
        for (SwitchNoise noise : SwitchNoise.values()) {
            ImageBatch z = GaussianNoise.normal(seeds, noise == SwitchNoise.FRESH ? GaussianNoise.STREAM_SWITCH
                    : GaussianNoise.STREAM_INITIAL, HIGH, 3);
            for (SwitchMethod method : SwitchMethod.values()) {
                for (Interpolation interpolation : Interpolation.values()) {
                    C2fPlan p = plan(ts, s, method, interpolation, 0f).withSwitch(method, interpolation, noise,
                            LowPhaseTime.SAME);
                    SamplerState atSwitch = ex.advance(ex.start(p, seeds), p, s, TrajectoryObserver.NONE);
                    assertEquals(LOW, atSwitch.x().resolution());
                    ImageBatch[] switched = new ImageBatch[1];
                    ex.finish(atSwitch, p, (i, t, res, xt, x0) -> {
                        if (i == s) {
                            switched[0] = xt;
                        }
                    });
                    ImageBatch x0Up = Resampling.upsample(atSwitch.x0hat(), HIGH, interpolation);
                    ImageBatch nHigh = C2fSwitch.impliedNoise(switched[0], x0Up, abar);
                    ImageBatch nLow = C2fSwitch.impliedNoise(atSwitch.x(), atSwitch.x0hat(), abar);
                    double[] mh = C2fSwitchTest.moments(nHigh.data());
                    double[] ml = C2fSwitchTest.moments(nLow.data());
                    double corr = C2fSwitchTest.correlation(nHigh, 2, 2, 0, 0, 0, 1);
                    System.out.printf("switch %s/%s at t=%d: high-res noise var %.4f (low-res implied noise var %.4f),"
                            + " in-block neighbour correlation %.4f%n", method, interpolation, ts[s], mh[1], ml[1], corr);
                    assertTrue(Math.abs(corr) < 0.03, "correlation " + corr);
                    if (method == SwitchMethod.RENOISE_X0) {
                        assertClose(z.data(), nHigh.data(), 2e-5);
                        assertEquals(1.0, mh[1], 0.02);
                    } else {
                        assertClose(nLow.data(), Resampling.avgPoolScaled(nHigh, LOW, 2.0).data(), 2e-5);
                        ImageBatch detail = minusBlockMean(nHigh);
                        assertClose(minusBlockMean(z).data(), detail.data(), 2e-5);
                        // var(n_h) = var(n_l) / 4 + 3 / 4 exactly in expectation.
                        assertEquals(ml[1] / 4 + 0.75, mh[1], 0.02);
                    }
                }
            }
        }
    }

    private static ImageBatch minusBlockMean(ImageBatch x) {
        ImageBatch mean = Resampling.upNearest(Resampling.avgPool(x, LOW), HIGH);
        float[] out = new float[x.data().length];
        for (int i = 0; i < out.length; i++) {
            out[i] = x.data()[i] - mean.data()[i];
        }
        return new ImageBatch(out, x.batch(), HIGH, x.channels());
    }

    private static void assertClose(float[] expected, float[] actual, double tolerance) {
        assertEquals(expected.length, actual.length);
        double max = 0;
        for (int i = 0; i < expected.length; i++) {
            max = Math.max(max, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(max <= tolerance, "max abs difference " + max + " > " + tolerance);
    }

    @Test
    void resumingASharedPrefixGivesTheSameImages() throws Exception {
        C2fExecutor ex = new C2fExecutor(model(LOW, HIGH), SCHEDULE);
        long[] seeds = {5, 6, 7};
        C2fPlan a = plan(new int[] {900, 800, 700, 600, 500, 400, 300, 200, 100, 0}, 3,
                SwitchMethod.UPSAMPLE_XT_VARIANCE_CORRECTED, Interpolation.BILINEAR, 0.2f);
        C2fPlan b = plan(new int[] {900, 800, 700, 600, 450, 200, 0}, 3,
                SwitchMethod.UPSAMPLE_XT_VARIANCE_CORRECTED, Interpolation.BILINEAR, 0.2f);
        C2fPlan c = plan(new int[] {900, 800, 700, 600, 450, 200, 0}, 5,
                SwitchMethod.RENOISE_X0, Interpolation.NEAREST, 0.2f);
        SamplerState prefix = ex.advance(ex.start(a, seeds), a, 3, TrajectoryObserver.NONE);
        assertFalse(prefix.isComplete());
        assertArrayEquals(ex.run(b, seeds).images().data(), ex.finish(prefix, b, TrajectoryObserver.NONE).images().data());
        assertArrayEquals(ex.run(c, seeds).images().data(), ex.finish(prefix, c, TrajectoryObserver.NONE).images().data());
        assertArrayEquals(ex.run(a, seeds).images().data(), ex.finish(prefix, a, TrajectoryObserver.NONE).images().data());

        SamplerState four = ex.advance(prefix, a, 4, TrajectoryObserver.NONE);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ex.finish(four, b, TrajectoryObserver.NONE));
        assertTrue(e.getMessage().startsWith("a state after 4 steps of C2fPlan[timesteps=[900, 800, 700, 600, 500"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ex.advance(four, a, 2, TrajectoryObserver.NONE));
        assertEquals("untilStep 2 out of range [4, 10]", e.getMessage());
    }

    @Test
    void allLowPlanUpsamplesTheFinalImage() throws Exception {
        GaussianDataDenoiser m = model(LOW, HIGH);
        int[] ts = TimestepSpacing.uniform(5, 1000);
        C2fResult r = new C2fExecutor(m, SCHEDULE).run(plan(ts, 5, SwitchMethod.RENOISE_X0,
                Interpolation.NEAREST, 0f), new long[] {1});
        assertEquals(HIGH, r.images().resolution());
        assertEquals(List.of("low", "switch"), r.phases().stream().map(PhaseTiming::phase).toList());
        assertTrue(m.calls().stream().allMatch(c -> c.startsWith("8x8x1@")));
        // Every 2x2 block holds one value.
        assertEquals(r.images().get(0, 2, 4, 1), r.images().get(0, 3, 5, 1));
    }

    @Test
    void planIsCheckedAgainstTheModel() {
        C2fExecutor ex = new C2fExecutor(model(Resolution.square(32), HIGH), SCHEDULE);
        InvalidPlanException e = assertThrows(InvalidPlanException.class, () -> ex.run(plan(
                TimestepSpacing.uniform(5, 1000), 2, SwitchMethod.RENOISE_X0, Interpolation.NEAREST, 0f), new long[] {1}));
        assertEquals("model has no 8x8 graph; it has [16x16, 32x32]", e.getMessage());
        e = assertThrows(InvalidPlanException.class, () -> ex.run(C2fPlan.fullResolution(new int[] {1000, 0}, HIGH, 0f),
                new long[] {1}));
        assertEquals("timestep 1000 out of range [0, 1000)", e.getMessage());
    }

    /**
     * Fidelity of C2F to the full-resolution DDIM run from the same noise, 32 seeds, 32x32 from
     * 16x16, 20 uniform steps, on two analytic models: iid per-pixel data (all content at pixel
     * scale, the worst case for C2F) and two-scale data whose content is mostly coarse. Variance
     * correction keeps the low-resolution noise, re-noising replaces it, so on coarse data the
     * variance-corrected switch must stay closer to the reference.
     */
    @Test
    void c2fStaysCloseToTheFullResolutionReference() throws Exception {
        Resolution low = Resolution.square(16);
        Resolution high = Resolution.square(32);
        long[] seeds = C2fSwitchTest.seeds(32);
        long[] otherSeeds = new long[seeds.length];
        for (int i = 0; i < seeds.length; i++) {
            otherSeeds[i] = seeds[i] + 10_000;
        }
        int[] ts = TimestepSpacing.uniform(20, 1000);
        Denoiser[] models = {model(low, high), new TwoScaleGaussianDenoiser(SCHEDULE, low, high, 0.16, 0.0025)};
        for (Denoiser m : models) {
            C2fExecutor ex = new C2fExecutor(m, SCHEDULE);
            ImageBatch reference = new DdimSampler(m, SCHEDULE).sample(ts, high, seeds, 0.0);
            double unrelated = mse(reference, new DdimSampler(m, SCHEDULE).sample(ts, high, otherSeeds, 0.0));
            System.out.printf("C2F fidelity on %s, 32x32 (low 16x16), 20 uniform DDIM steps, 32 seeds;"
                    + " MSE between two unrelated samples: %.5f%n", m.engine(), unrelated);
            for (int s : new int[] {2, 5, 10, 15}) {
                double[][] byMethod = new double[2][2]; // [noise][method], bilinear
                for (SwitchNoise noise : SwitchNoise.values()) {
                    for (SwitchMethod method : SwitchMethod.values()) {
                        for (Interpolation interpolation : Interpolation.values()) {
                            C2fResult r = ex.run(new C2fPlan(ts, s, low, high, method, interpolation, 0f, noise,
                                    LowPhaseTime.SAME), seeds);
                            double e = mse(reference, r.images());
                            double macsSaved = 1.0 - (double) r.totalMacs()
                                    / (m.macsPerForward(high) * seeds.length * 20L);
                            System.out.printf("  switch after %2d steps (t_s=%3d) %-30s %-8s %-10s MSE vs full-res"
                                    + " %.6f (PSNR %.1f dB), MACs saved %.0f%%%n", s, ts[s], method, interpolation,
                                    noise, e, 10 * Math.log10(4 / e), 100 * macsSaved);
                            if (interpolation == Interpolation.BILINEAR) {
                                byMethod[noise.ordinal()][method.ordinal()] = e;
                            }
                        }
                    }
                }
                if (m instanceof TwoScaleGaussianDenoiser) {
                    double[] fresh = byMethod[SwitchNoise.FRESH.ordinal()];
                    double[] continuous = byMethod[SwitchNoise.CONTINUOUS.ordinal()];
                    assertTrue(fresh[1] < fresh[0], "fresh noise: variance-corrected " + fresh[1] + " vs renoise "
                            + fresh[0]);
                    for (int method = 0; method < 2; method++) {
                        // the reference keeps its initial noise: so does a continuous switch
                        assertTrue(continuous[method] < fresh[method], SwitchMethod.values()[method]
                                + ": continuous " + continuous[method] + " vs fresh " + fresh[method]);
                    }
                    assertTrue(continuous[1] < unrelated / 4, "variance-corrected " + continuous[1]);
                }
            }
        }
    }
}
