package io.c2f.schedules.trd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.models.c2f.C2fExecutor;
import io.c2f.models.c2f.C2fPlan;
import io.c2f.models.c2f.Interpolation;
import io.c2f.models.c2f.SwitchMethod;
import io.c2f.models.diffusion.NoiseSchedule;
import io.c2f.models.image.ImageMetrics;
import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;
import io.c2f.proto.v1.SearchMethod;
import io.c2f.schedules.Baselines;
import io.c2f.models.synthetic.TwoScaleGaussianDenoiser;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrdSearchTest {
    private static final NoiseSchedule DDPM = NoiseSchedule.ddpmLinear();
    private static final Resolution LOW = Resolution.square(8);
    private static final Resolution HIGH = Resolution.square(16);
    private static final String SHA = "0".repeat(64);

    private static TwoScaleGaussianDenoiser twoScale() {
        return new TwoScaleGaussianDenoiser(DDPM, LOW, HIGH, 0.25, 0.01);
    }

    private static TrdConfig config() {
        return TrdConfig.defaults().withBudget(Duration.ofMinutes(2));
    }

    @Test
    void trdBeatsUniformAndQuadraticOnHeldoutSeeds() throws Exception {
        TwoScaleGaussianDenoiser d = twoScale();
        TrdSearch search = new TrdSearch(d, DDPM, config());
        ReferenceFidelity fid = search.fidelity(HIGH);
        long[] heldout = config().heldoutSeeds();
        for (int k : new int[] {4, 8}) {
            TrdResult r = search.searchFull(k, HIGH, "trd-k" + k, SHA, null);
            double uniform = fid.loss(Baselines.uniform(k, 1000, HIGH, 0f), heldout);
            double quadratic = fid.loss(Baselines.quadratic(k, 1000, HIGH, 0f), heldout);
            System.out.printf("full K=%d: held-out MSE uniform %.3e quadratic %.3e TRD %.3e (cal %.3e -> %.3e),"
                            + " %d evals, %d denoiser calls, %.2f s search, %.2f s reference; TRD steps %s%n", k,
                    uniform, quadratic, r.heldoutLoss(), r.startCalibrationLoss(), r.calibrationLoss(),
                    r.evaluations(), r.denoiserSteps(), r.searchSeconds(), r.referenceSeconds(),
                    Arrays.toString(r.plan().timesteps()));
            assertEquals(uniform, r.startHeldoutLoss(), 1e-12);
            assertTrue(r.heldoutLoss() < uniform, "TRD held-out " + r.heldoutLoss() + " vs uniform " + uniform);
            assertTrue(r.heldoutLoss() < quadratic, "TRD held-out " + r.heldoutLoss() + " vs quadratic " + quadratic);
            assertFalse(r.stoppedByBudget());
        }
        int k = 8;
        TrdResult c2f = search.searchC2f(k, 4, LOW, HIGH, SwitchMethod.RENOISE_X0, Interpolation.NEAREST,
                "trd-c2f-k8", SHA, null);
        double c2fUniform = fid.loss(Baselines.c2fUniform(k, 1000, 4, LOW, HIGH, SwitchMethod.RENOISE_X0,
                Interpolation.NEAREST, 0f), heldout);
        System.out.printf("C2F K=8 (start switch 4): held-out MSE uniform %.3e TRD %.3e, switch %d, steps %s, "
                        + "MACs/image %d (full-res uniform %d), %.2f s%n", c2fUniform, c2f.heldoutLoss(),
                c2f.plan().switchIndex(), Arrays.toString(c2f.plan().timesteps()),
                c2f.schedule().provenance().getMacsPerImage(),
                ReferenceFidelity.macsPerImage(Baselines.uniform(k, 1000, HIGH, 0f), d), c2f.searchSeconds());
        assertTrue(c2f.heldoutLoss() < c2fUniform);
        assertTrue(c2f.plan().hasLowPhase());
    }

    @Test
    void sameInputsGiveTheSameScheduleAndProvenance() throws Exception {
        TrdResult a = new TrdSearch(twoScale(), DDPM, config()).searchC2f(6, 3, LOW, HIGH, SwitchMethod.RENOISE_X0,
                Interpolation.NEAREST, "x", SHA, null);
        TrdResult b = new TrdSearch(twoScale(), DDPM, config()).searchC2f(6, 3, LOW, HIGH, SwitchMethod.RENOISE_X0,
                Interpolation.NEAREST, "x", SHA, null);
        assertEquals(a.plan(), b.plan());
        assertEquals(a.calibrationLoss(), b.calibrationLoss());
        assertEquals(a.heldoutLoss(), b.heldoutLoss());
        assertEquals(a.evaluations(), b.evaluations());
    }

    @Test
    void neverWorseThanStartAndReportsHeldoutLoss() throws Exception {
        TwoScaleGaussianDenoiser d = twoScale();
        List<TrdProgress> seen = new ArrayList<>();
        // a start that is already good (quadratic) and a budget of a few evaluations
        C2fPlan start = Baselines.quadratic(5, 1000, HIGH, 0f);
        for (int budget : new int[] {1, 3, 10_000}) {
            TrdSearch search = new TrdSearch(d, DDPM, config().withMaxEvaluations(budget));
            seen.clear();
            TrdResult r = search.search(start, "q5", SHA, seen::add);
            assertTrue(r.calibrationLoss() <= r.startCalibrationLoss());
            assertTrue(r.evaluations() <= budget);
            assertEquals(budget < 100, r.stoppedByBudget());
            // provenance carries what was measured, recomputed independently here
            ReferenceFidelity fid = new ReferenceFidelity(d, DDPM, 100, HIGH);
            assertEquals(fid.loss(r.plan(), config().calibrationSeeds()), r.calibrationLoss(), 1e-15);
            assertEquals(fid.loss(r.plan(), config().heldoutSeeds()), r.heldoutLoss(), 1e-15);
            var p = r.schedule().provenance();
            assertEquals(SearchMethod.SEARCH_METHOD_TRD, p.getMethod());
            assertEquals(r.heldoutLoss(), p.getHeldoutLoss());
            assertEquals(16, p.getCalibrationSeeds());
            assertEquals(64, p.getHeldoutSeeds());
            assertEquals(100, p.getReferenceSteps());
            assertEquals(5L * 1000 * HIGH.pixels(), p.getMacsPerImage());
            assertEquals(SHA, p.getModelSha256());
            assertFalse(seen.isEmpty());
            for (int i = 1; i < seen.size(); i++) {
                assertTrue(seen.get(i).bestLoss() <= seen.get(i - 1).bestLoss());
            }
            System.out.printf("quadratic start K=5, max %d evals: cal %.4e -> %.4e, held-out %.4e -> %.4e%n", budget,
                    r.startCalibrationLoss(), r.calibrationLoss(), r.startHeldoutLoss(), r.heldoutLoss());
        }
    }

    /**
     * Planted optimum: on a small problem (T = 40, K = 3, 4x4 images) the best time step set is found by
     * enumerating all C(40, 3) = 9880 sets; TRD from uniform must reach it (or come within 5%).
     */
    @Test
    void findsTheExhaustiveOptimumOfASmallProblem() throws Exception {
        NoiseSchedule small = NoiseSchedule.linear(40, 1e-3, 0.3);
        Resolution low = Resolution.square(2);
        Resolution high = Resolution.square(4);
        TwoScaleGaussianDenoiser d = new TwoScaleGaussianDenoiser(small, low, high, 0.25, 0.01);
        TrdConfig cfg = config().withReferenceSteps(40);
        TrdSearch search = new TrdSearch(d, small, cfg);
        ReferenceFidelity fid = search.fidelity(high);
        long[] cal = cfg.calibrationSeeds();
        ImageBatch ref = fid.reference(cal);
        C2fExecutor ex = new C2fExecutor(d, small);
        double bestLoss = Double.POSITIVE_INFINITY;
        int[] best = null;
        for (int a = 39; a >= 2; a--) {
            for (int b = a - 1; b >= 1; b--) {
                for (int c = b - 1; c >= 0; c--) {
                    int[] ts = {a, b, c};
                    double loss = ImageMetrics.mse(ex.run(C2fPlan.fullResolution(ts, high, 0f), cal).images(), ref);
                    if (loss < bestLoss) {
                        bestLoss = loss;
                        best = ts;
                    }
                }
            }
        }
        TrdResult r = search.searchFull(3, high, "planted", SHA, null);
        System.out.printf("planted: exhaustive optimum %s loss %.6e; TRD %s loss %.6e (start %s %.6e), %d evals%n",
                Arrays.toString(best), bestLoss, Arrays.toString(r.plan().timesteps()), r.calibrationLoss(),
                Arrays.toString(r.start().timesteps()), r.startCalibrationLoss(), r.evaluations());
        assertTrue(r.calibrationLoss() <= bestLoss * 1.05, "TRD " + r.calibrationLoss() + " vs optimum " + bestLoss);
        assertTrue(r.startCalibrationLoss() > bestLoss * 1.5, "the start must be clearly off the optimum");
    }

    /**
     * Stage 1: with S shifted starts and an evaluation budget of S - 1, the search has evaluated
     * exactly the shifts of the start (+T/(SK) each) and returns the best of the S plans, recomputed
     * here independently; shifts that would leave [0, T) are not tried.
     */
    @Test
    void shiftedStartsAreTriedFirstAndTheBestIsKept() throws Exception {
        TwoScaleGaussianDenoiser d = twoScale();
        int k = 5;
        int shifts = 4;
        TrdSearch search = new TrdSearch(d, DDPM, config().withStartShifts(shifts).withMaxEvaluations(shifts - 1));
        C2fPlan uniform = Baselines.uniform(k, 1000, HIGH, 0f);
        TrdResult r = search.searchFull(k, HIGH, "shifted", SHA, null);
        ReferenceFidelity fid = new ReferenceFidelity(d, DDPM, 100, HIGH);
        long[] cal = config().calibrationSeeds();
        C2fPlan expected = uniform;
        double expectedLoss = fid.loss(uniform, cal);
        for (int j = 1; j < shifts; j++) {
            int[] ts = uniform.timesteps(); // [800, 600, 400, 200, 0]: shifts +50, +100, +150
            for (int q = 0; q < k; q++) {
                ts[q] += j * 1000 / (k * shifts);
            }
            C2fPlan shifted = uniform.withTimesteps(ts);
            double loss = fid.loss(shifted, cal);
            if (loss < expectedLoss) {
                expected = shifted;
                expectedLoss = loss;
            }
        }
        assertEquals(shifts - 1, r.evaluations());
        assertEquals(expected, r.plan());
        assertEquals(expectedLoss, r.calibrationLoss(), 1e-15);
        assertTrue(r.stoppedByBudget());

        // a start whose first step is T - 30: every shift (+50 or more) would leave [0, T)
        C2fPlan high = C2fPlan.fullResolution(new int[] {970, 600, 300}, HIGH, 0f);
        List<TrdProgress> seen = new ArrayList<>();
        TrdResult none = new TrdSearch(d, DDPM, config().withMaxEvaluations(1)).search(high, "edge", SHA, seen::add);
        assertEquals(1, none.evaluations());
        int[] first = seen.get(seen.size() - 1).best().timesteps();
        assertTrue(first[0] <= 999, Arrays.toString(first));
    }

    /**
     * The smallest move: with minMove m every accepted move changes one position by at least m time
     * steps, unless it was clamped against a neighbour or the ends of [0, T); a finer minimum costs more
     * evaluations.
     */
    @Test
    void movesBelowTheMinimumAreNotTried() throws Exception {
        TwoScaleGaussianDenoiser d = twoScale();
        int k = 4;
        int m = 16;
        TrdConfig cfg = config().withStartShifts(1).withMinMove(m).withInitialDelta(64);
        List<TrdProgress> seen = new ArrayList<>();
        TrdResult coarse = new TrdSearch(d, DDPM, cfg).searchFull(k, HIGH, "coarse", SHA, seen::add);
        assertFalse(coarse.stoppedByBudget());
        int moves = 0;
        for (int n = 1; n < seen.size(); n++) {
            int[] before = seen.get(n - 1).best().timesteps();
            int[] after = seen.get(n).best().timesteps();
            for (int i = 0; i < k; i++) {
                if (before[i] == after[i]) {
                    continue;
                }
                moves++;
                boolean clamped = after[i] == 0 || after[i] == 999 || (i > 0 && after[i] == after[i - 1] - 1)
                        || (i + 1 < k && after[i] == after[i + 1] + 1);
                assertTrue(Math.abs(after[i] - before[i]) >= m || clamped, "a move below " + m + ": "
                        + Arrays.toString(before) + " -> " + Arrays.toString(after));
            }
        }
        assertTrue(moves > 0, "the descent accepted no move at all");
        TrdResult fine = new TrdSearch(d, DDPM, cfg.withMinMove(1)).searchFull(k, HIGH, "fine", SHA, null);
        assertTrue(fine.evaluations() > coarse.evaluations(), fine.evaluations() + " vs " + coarse.evaluations());
    }

    /** Counts the model's batched calls. */
    private static final class Counting implements io.c2f.models.diffusion.Denoiser {
        final io.c2f.models.diffusion.Denoiser inner;
        int calls;

        Counting(io.c2f.models.diffusion.Denoiser inner) {
            this.inner = inner;
        }

        @Override
        public ImageBatch predictNoise(ImageBatch xt, int timestep) throws io.c2f.models.diffusion.DenoiserException {
            calls++;
            return inner.predictNoise(xt, timestep);
        }

        @Override
        public java.util.Set<Resolution> resolutions() {
            return inner.resolutions();
        }

        @Override
        public int channels() {
            return inner.channels();
        }

        @Override
        public long macsPerForward(Resolution r) {
            return inner.macsPerForward(r);
        }

        @Override
        public String engine() {
            return inner.engine();
        }
    }

    /**
     * The reported denoiser calls are the model's real calls, and prefix reuse plus the step cache
     * make a candidate cheaper than a full run: a candidate moving t_i costs K - i calls (K for i = 0).
     */
    @Test
    void candidatesResumeFromTheSharedPrefixAndReuseItsLastCall() throws Exception {
        Counting d = new Counting(twoScale());
        int k = 6;
        TrdSearch search = new TrdSearch(d, DDPM, config().withMaxEvaluations(40));
        search.fidelity(HIGH).reference(config().calibrationSeeds());
        search.fidelity(HIGH).reference(config().heldoutSeeds());
        d.calls = 0;
        TrdResult r = search.searchFull(k, HIGH, "count", SHA, null);
        assertEquals(40, r.evaluations());
        // the search's calls (start run included) plus the held-out runs of start and result
        assertEquals(r.denoiserSteps() + 2L * k, d.calls);
        // every candidate resumed from a prefix: far fewer calls than K per evaluation
        assertTrue(r.denoiserSteps() < (long) k + r.evaluations() * (k - 1), "calls " + r.denoiserSteps());
    }

    @Test
    void badInputsArePreciseErrors() {
        TwoScaleGaussianDenoiser d = twoScale();
        TrdSearch search = new TrdSearch(d, DDPM, config());
        assertEquals("step count K = 1001 is larger than the model's T = 1000", assertThrows(
                IllegalArgumentException.class, () -> search.searchFull(1001, HIGH, "x", SHA, null)).getMessage());
        assertEquals("step count K must be >= 1, got 0", assertThrows(IllegalArgumentException.class,
                () -> search.searchFull(0, HIGH, "x", SHA, null)).getMessage());
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> config().withSeeds(new long[0], new long[] {5}));
        assertTrue(empty.getMessage().contains("calibration set is empty"), empty.getMessage());
        IllegalArgumentException noLow = assertThrows(IllegalArgumentException.class,
                () -> search.searchC2f(6, 3, Resolution.square(4), HIGH, SwitchMethod.RENOISE_X0,
                        Interpolation.NEAREST, "x", SHA, null));
        System.out.println(noLow.getMessage());
        assertTrue(noLow.getMessage().contains("has no 4x4 graph for the C2F low phase"), noLow.getMessage());
        assertThrows(IllegalArgumentException.class, () -> search.searchC2f(6, 6, LOW, HIGH, SwitchMethod.RENOISE_X0,
                Interpolation.NEAREST, "x", SHA, null));
        assertEquals("minMove must be >= 1 time step, got 0", assertThrows(
                IllegalArgumentException.class, () -> config().withMinMove(0)).getMessage());
        assertEquals("startShifts must be >= 1 (1 = the start plan only), got 0", assertThrows(
                IllegalArgumentException.class, () -> config().withStartShifts(0)).getMessage());
        IllegalArgumentException overlap = assertThrows(IllegalArgumentException.class,
                () -> config().withSeeds(new long[] {1, 2}, new long[] {2}));
        assertTrue(overlap.getMessage().contains("held-out seed 2 is also a calibration seed"));
    }
}
