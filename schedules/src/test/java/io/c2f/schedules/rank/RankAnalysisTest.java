package io.c2f.schedules.rank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.models.c2f.C2fPlan;
import io.c2f.models.c2f.Interpolation;
import io.c2f.models.c2f.Resampling;
import io.c2f.models.c2f.SwitchMethod;
import io.c2f.models.diffusion.NoiseSchedule;
import io.c2f.models.noise.GaussianNoise;
import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;
import io.c2f.schedules.Baselines;
import io.c2f.models.synthetic.LowRankGaussianDenoiser;
import io.c2f.schedules.trd.TrdConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class RankAnalysisTest {

    /**
     * N images = combinations of r orthonormal basis images with orthogonal, zero-mean, equal-norm
     * coefficient columns (cosines over the batch), so the centred batch has exactly r equal
     * eigenvalues; plus 1e-4 noise and a constant offset that centring removes.
     */
    private static ImageBatch plantedRank(int n, int r, Resolution res) {
        int d = res.pixels() * 3;
        double[][] basis = new double[r][d];
        float[] g = new float[d];
        for (int j = 0; j < r; j++) {
            GaussianNoise.fill(77, j, g);
            for (int k = 0; k < d; k++) {
                basis[j][k] = g[k];
            }
            for (int q = 0; q < j; q++) {
                double dot = 0;
                for (int k = 0; k < d; k++) {
                    dot += basis[j][k] * basis[q][k];
                }
                for (int k = 0; k < d; k++) {
                    basis[j][k] -= dot * basis[q][k];
                }
            }
            double norm = 0;
            for (int k = 0; k < d; k++) {
                norm += basis[j][k] * basis[j][k];
            }
            for (int k = 0; k < d; k++) {
                basis[j][k] /= Math.sqrt(norm);
            }
        }
        float[] noise = new float[n * d];
        GaussianNoise.fill(79, 0, noise);
        float[] x = new float[n * d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < r; j++) {
                double c = 10 * Math.cos(2 * Math.PI * (j + 1) * (i + 0.5) / n);
                for (int k = 0; k < d; k++) {
                    x[i * d + k] += (float) (c * basis[j][k]);
                }
            }
            for (int k = 0; k < d; k++) {
                x[i * d + k] += 1e-4f * noise[i * d + k] + 0.3f;
            }
        }
        return new ImageBatch(x, n, res, 3);
    }

    @Test
    void recoversThePlantedRank() {
        for (int r : new int[] {1, 3, 7, 12}) {
            PcaSpectrum s = PcaSpectrum.of(plantedRank(40, r, Resolution.square(8)));
            System.out.printf("planted rank %d: rank95 %d rank99 %d, eigenvalue r %.3e, r+1 %.3e%n", r,
                    s.rankAt(0.95), s.rankAt(0.99), s.eigenvalues()[r - 1], s.eigenvalues()[r]);
            assertEquals(r, s.rankAt(0.95));
            assertEquals(r, s.rankAt(0.99));
            assertTrue(s.eigenvalues()[r] < 1e-4 * s.eigenvalues()[r - 1]);
        }
        // nearest upsampling leaves the ranks unchanged (the Gram matrix only scales by 4)
        ImageBatch b = plantedRank(40, 5, Resolution.square(8));
        PcaSpectrum up = PcaSpectrum.of(Resampling.upNearest(b, Resolution.square(16)));
        PcaSpectrum native8 = PcaSpectrum.of(b);
        assertEquals(native8.rankAt(0.95), up.rankAt(0.95));
        assertEquals(4 * native8.eigenvalues()[0], up.eigenvalues()[0], 1e-6 * up.eigenvalues()[0]);
        assertEquals(0, PcaSpectrum.of(ImageBatch.zeros(32, Resolution.square(2), 3)).rankAt(0.95));
    }

    @Test
    void equalEnergyComponentsNeedTheirShare() {
        // 4 orthogonal images of equal energy: 95% needs all 4, 50% needs 2
        PcaSpectrum s = new PcaSpectrum(new double[] {1, 1, 1, 1, 0});
        assertEquals(4, s.rankAt(0.95));
        assertEquals(2, s.rankAt(0.5));
        assertEquals(1, s.rankAt(0.25));
    }

    @Test
    void switchRuleTakesTheEndOfTheMinimumPlateau() {
        assertEquals(4, RankAnalysis.recommendedSwitchIndex(curve(30, 20, 10, 10, 12, 20)));
        assertEquals(1, RankAnalysis.recommendedSwitchIndex(curve(3, 5, 9)));   // rising from the start
        assertEquals(2, RankAnalysis.recommendedSwitchIndex(curve(9, 5, 3)));   // falling: clamp to K-1
        assertEquals(2, RankAnalysis.recommendedSwitchIndex(curve(9, 5, 7, 5))); // first minimum run
        assertEquals(3, RankAnalysis.switchIndexFor(new int[] {900, 700, 500, 300, 100}, 400));
        assertEquals(1, RankAnalysis.switchIndexFor(new int[] {900, 700}, 950));
    }

    private static RankCurve curve(int... x0Rank95) {
        int k = x0Rank95.length;
        int[] ts = new int[k];
        for (int i = 0; i < k; i++) {
            ts[i] = (k - 1 - i) * 100;
        }
        List<RankPoint> pts = new java.util.ArrayList<>();
        for (int i = 0; i < k; i++) {
            pts.add(new RankPoint(i, ts[i], Resolution.square(4), x0Rank95[i], x0Rank95[i], 32, 32));
        }
        return new RankCurve("full", C2fPlan.fullResolution(ts, Resolution.square(4), 0f), 32, pts);
    }

    @Test
    void curvesOfTheLowRankDenoiserWithCsvAndPlot() throws Exception {
        NoiseSchedule ddpm = NoiseSchedule.ddpmLinear();
        LowRankGaussianDenoiser d = LowRankGaussianDenoiser.cifarLike(ddpm);
        RankAnalysis ra = new RankAnalysis(d, ddpm);
        long[] seeds = TrdConfig.seeds(0, 32);
        C2fPlan full = Baselines.uniform(25, 1000, Resolution.square(32), 0f);
        RankCurve fullCurve = ra.analyse("full", full, seeds);
        int s = RankAnalysis.recommendedSwitchIndex(fullCurve);
        int ts = RankAnalysis.recommendedSwitchTimestep(fullCurve);
        RankCurve c2f = ra.analyse("c2f", Baselines.c2fUniform(25, 1000, s, Resolution.square(16),
                Resolution.square(32), SwitchMethod.RENOISE_X0, Interpolation.NEAREST, 0f), seeds);
        String csv = RankReport.csv(List.of(fullCurve, c2f));
        System.out.print(csv);
        System.out.println("recommended switch index " + s + " (t = " + ts + ")");
        assertEquals(1 + 2 * 25, csv.lines().count());
        assertEquals(Resolution.square(16), c2f.points().get(0).resolution());
        assertEquals(Resolution.square(32), c2f.points().get(24).resolution());
        // data of rank 12 plus fine iid detail: the x0 rank sits at or below 12 while only coarse
        // structure is resolved, and rises at the end when the detail appears
        int min = fullCurve.points().stream().mapToInt(RankPoint::x0Rank95).min().orElseThrow();
        int finalRank = fullCurve.points().get(24).x0Rank95();
        assertTrue(min <= 12, "minimum x0 rank95 " + min);
        assertTrue(finalRank > min + 5, "final x0 rank95 " + finalRank + " vs minimum " + min);
        assertTrue(s > 1 && s < 24, "switch " + s);
        byte[] png = RankReport.png(List.of(fullCurve, c2f), 1000, ts, "PCA rank along the trajectory");
        Path out = Path.of("target", "rank-test.png");
        Files.createDirectories(out.getParent());
        Files.write(out, png);
        assertTrue(png.length > 1000);
        assertThrows(IllegalArgumentException.class, () -> ra.analyse("x", full, TrdConfig.seeds(0, 31)));
    }

    @Test
    void snrMatchedLowStepsStandAtTheirScheduledTimeStep() throws Exception {
        // the model runs a low step at an earlier t', but the curve places it where the plan schedules it,
        // so full and C2F curves share their x axis and the switch mark
        NoiseSchedule ddpm = NoiseSchedule.ddpmLinear();
        RankAnalysis ra = new RankAnalysis(LowRankGaussianDenoiser.cifarLike(ddpm), ddpm);
        C2fPlan plan = Baselines.c2fUniform(10, 1000, 5, Resolution.square(16), Resolution.square(32),
                SwitchMethod.UPSAMPLE_XT_VARIANCE_CORRECTED, Interpolation.NEAREST, 0f).withSwitch(
                SwitchMethod.UPSAMPLE_XT_VARIANCE_CORRECTED, Interpolation.NEAREST,
                io.c2f.models.c2f.SwitchNoise.CONTINUOUS, io.c2f.models.c2f.LowPhaseTime.SNR_MATCHED);
        RankCurve c = ra.analyse("c2f", plan, TrdConfig.seeds(0, 32));
        assertEquals(java.util.Arrays.stream(plan.timesteps()).boxed().toList(),
                c.points().stream().map(RankPoint::timestep).toList());
    }
}
