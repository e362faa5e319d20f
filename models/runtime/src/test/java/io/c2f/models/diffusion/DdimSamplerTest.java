package io.c2f.models.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.models.noise.GaussianNoise;
import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;
import org.junit.jupiter.api.Test;

class DdimSamplerTest {
    private static final NoiseSchedule SCHEDULE = NoiseSchedule.ddpmLinear();
    private static final Resolution R = Resolution.square(8);

    /** Mean and std of (x - mu) / s over every element of the batch. */
    static double[] standardised(ImageBatch b, double s) {
        double sum = 0;
        double sq = 0;
        int i = 0;
        for (int n = 0; n < b.batch(); n++) {
            for (int y = 0; y < b.height(); y++) {
                for (int x = 0; x < b.width(); x++) {
                    for (int c = 0; c < b.channels(); c++, i++) {
                        double z = (b.data()[i] - GaussianDataDenoiser.mu(b.resolution(), y, x, c)) / s;
                        sum += z;
                        sq += z * z;
                    }
                }
            }
        }
        double mean = sum / i;
        return new double[] {mean, Math.sqrt(sq / i - mean * mean)};
    }

    static double variance(float[] v) {
        double sum = 0;
        double sq = 0;
        for (float f : v) {
            sum += f;
            sq += (double) f * f;
        }
        double mean = sum / v.length;
        return sq / v.length - mean * mean;
    }

    static long[] seeds(int n, long first) {
        long[] s = new long[n];
        for (int i = 0; i < n; i++) {
            s[i] = first + i;
        }
        return s;
    }

    /**
     * For Gaussian data every DDIM step is affine in x, so the std of the output around mu follows
     * in closed form: with eps = c (x - sqrt(abar) mu), c = sqrt(1 - abar) / (abar s^2 + 1 - abar),
     * one step scales the deviation by k = sqrt(abar_prev) (1 - sqrt(1 - abar) c) / sqrt(abar) + d c
     * (d = sqrt(1 - abar_prev - sigma^2)) and adds sigma^2 of fresh variance. Returns std / s.
     */
    static double predictedStandardisedStd(int[] ts, double eta, double s, double initialVariance) {
        double var = initialVariance;
        for (int i = 0; i < ts.length; i++) {
            double ab = SCHEDULE.alphaBar(ts[i]);
            double abp = SCHEDULE.alphaBar(i + 1 < ts.length ? ts[i + 1] : -1);
            double sigma = i + 1 < ts.length ? eta * Math.sqrt((1 - abp) / (1 - ab) * (1 - ab / abp)) : 0.0;
            double c = Math.sqrt(1 - ab) / (ab * s * s + 1 - ab);
            double k = Math.sqrt(abp) * (1 - Math.sqrt(1 - ab) * c) / Math.sqrt(ab)
                    + Math.sqrt(Math.max(0, 1 - abp - sigma * sigma)) * c;
            var = k * k * var + sigma * sigma;
        }
        return Math.sqrt(var) / s;
    }

    @Test
    void ddimReachesTheDataDistribution() throws Exception {
        double s = 0.3;
        GaussianDataDenoiser model = new GaussianDataDenoiser(SCHEDULE, s, R);
        DdimSampler sampler = new DdimSampler(model, SCHEDULE);
        long[] seeds = seeds(256, 1000);
        double initialVariance = variance(GaussianNoise.normal(seeds, 0, R, 3).data());
        for (double eta : new double[] {0.0, 1.0}) {
            // Noise for 1000 stochastic steps costs seconds: eta = 1 stops at 100.
            for (int k : eta == 0 ? new int[] {10, 100, 1000} : new int[] {10, 100}) {
                int[] ts = TimestepSpacing.uniform(k, 1000);
                ImageBatch out = sampler.sample(ts, R, seeds, eta);
                double[] ms = standardised(out, s);
                double predicted = predictedStandardisedStd(ts, eta, s, initialVariance);
                System.out.printf("DDIM eta=%.0f K=%d on N(mu, %.1f^2), 256 images 8x8x3: standardised mean %.4f"
                        + " std %.4f (closed form for this discretisation and this initial noise %.4f)%n", eta, k, s, ms[0], ms[1], predicted);
                // 49152 values: sampling error of the mean ~0.005; for eta = 0 the output is an affine
                // map of the initial noise, so its std is predicted up to the tiny mean offset.
                assertEquals(0.0, ms[0], 0.02);
                assertEquals(predicted, ms[1], (eta == 0 ? 0.002 : 0.012) * predicted);
                if (k == 1000) {
                    assertEquals(1.0, ms[1], 0.02);
                }
            }
        }
        assertEquals(1110 + 110, model.calls().size());
        assertEquals("8x8x256@900", model.calls().get(0));
    }

    @Test
    void sameSeedSameImageAndBatchCompositionDoesNotMatter() throws Exception {
        GaussianDataDenoiser model = new GaussianDataDenoiser(SCHEDULE, 0.3, R);
        DdimSampler sampler = new DdimSampler(model, SCHEDULE);
        int[] ts = TimestepSpacing.uniform(10, 1000);
        ImageBatch a = sampler.sample(ts, R, new long[] {5, 6}, 0.5);
        ImageBatch b = sampler.sample(ts, R, new long[] {5, 6}, 0.5);
        ImageBatch c = sampler.sample(ts, R, new long[] {6}, 0.5);
        assertArrayEquals(a.data(), b.data());
        assertArrayEquals(a.image(1).data(), c.data());
    }

    @Test
    void finalStepReturnsX0AndEtaZeroNeedsNoNoise() {
        DdimStep step = new DdimStep(SCHEDULE, 0.0);
        ImageBatch x = GaussianNoise.normal(new long[] {1}, 0, R, 3);
        ImageBatch eps = GaussianNoise.normal(new long[] {2}, 0, R, 3);
        DdimStep.Result r = step.apply(x, eps, 0, -1, null);
        assertArrayEquals(r.x0().data(), r.xPrev().data());
        double abar = SCHEDULE.alphaBar(0);
        assertEquals((x.data()[3] - Math.sqrt(1 - abar) * eps.data()[3]) / Math.sqrt(abar), r.x0().data()[3], 1e-6);
        assertTrue(!step.needsNoise(500, 400));

        DdimStep ddpmLike = new DdimStep(SCHEDULE, 1.0);
        double ab = SCHEDULE.alphaBar(500);
        double abp = SCHEDULE.alphaBar(400);
        // eta = 1: sigma^2 is the DDPM posterior variance (1 - abar_prev) / (1 - abar) (1 - abar / abar_prev).
        assertEquals((1 - abp) / (1 - ab) * (1 - ab / abp), Math.pow(ddpmLike.sigma(500, 400), 2), 1e-15);
        assertEquals(0.0, ddpmLike.sigma(10, -1), 0.0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ddpmLike.apply(x, eps, 500, 400, null));
        assertEquals("step 500 -> 400 with eta 1.0 needs noise", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> step.apply(x, eps, 400, 500, null));
        assertEquals("t_prev must be in [-1, t), got t=400, t_prev=500", e.getMessage());
    }

    @Test
    void clippingIsOffByDefault() {
        ImageBatch x = new ImageBatch(new float[] {3f, -3f, 0.5f}, 1, Resolution.square(1), 3);
        ImageBatch eps = ImageBatch.zeros(1, Resolution.square(1), 3);
        double abar = SCHEDULE.alphaBar(0);
        float[] free = new DdimStep(SCHEDULE, 0.0).apply(x, eps, 0, -1, null).x0().data();
        float[] clipped = new DdimStep(SCHEDULE, 0.0, true).apply(x, eps, 0, -1, null).x0().data();
        assertEquals((float) (3 / Math.sqrt(abar)), free[0]);
        assertArrayEquals(new float[] {1f, -1f, (float) (0.5 / Math.sqrt(abar))}, clipped);
    }
}
