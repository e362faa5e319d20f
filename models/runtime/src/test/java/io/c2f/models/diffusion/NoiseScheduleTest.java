package io.c2f.models.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.proto.v1.BetaSchedule;
import io.c2f.proto.v1.NoiseScheduleSpec;
import org.junit.jupiter.api.Test;

class NoiseScheduleTest {

    @Test
    void ddpmLinearDefaults() {
        NoiseSchedule s = NoiseSchedule.ddpmLinear();
        assertEquals(1000, s.trainTimesteps());
        assertEquals(1e-4, s.beta(0), 0.0);
        assertEquals(0.02, s.beta(999), 0.0);
        assertEquals(1e-4 + 500 * (0.02 - 1e-4) / 999, s.beta(500), 1e-15);
        assertEquals(0.9999, s.alphaBar(0), 1e-15);
        assertEquals(0.9999 * (1 - s.beta(1)), s.alphaBar(1), 1e-15);
        // Known value of DDPM's alphas_cumprod[-1] (diffusers / the DDPM code): 4.0358e-05.
        assertEquals(4.0358e-05, s.alphaBar(999), 5e-9);
        assertEquals(1.0, s.alphaBar(-1), 0.0);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> s.alphaBar(1000));
        assertEquals("timestep 1000 out of range [0, 1000)", e.getMessage());
    }

    @Test
    void fromSpec() {
        double[] expected = NoiseSchedule.ddpmLinear().alphasCumprod();
        assertArrayEquals(expected, NoiseSchedule.fromSpec(NoiseScheduleSpec.getDefaultInstance()).alphasCumprod());
        assertArrayEquals(expected, NoiseSchedule.fromSpec(NoiseScheduleSpec.newBuilder()
                .setKind(BetaSchedule.BETA_SCHEDULE_LINEAR).setTrainTimesteps(1000)
                .setBetaStart(1e-4).setBetaEnd(0.02).build()).alphasCumprod());

        NoiseSchedule scaled = NoiseSchedule.fromSpec(NoiseScheduleSpec.newBuilder()
                .setKind(BetaSchedule.BETA_SCHEDULE_SCALED_LINEAR).setTrainTimesteps(1000)
                .setBetaStart(0.00085).setBetaEnd(0.012).build());
        assertEquals(0.00085, scaled.beta(0), 1e-15);
        assertEquals(0.012, scaled.beta(999), 1e-15);
        double mid = (Math.sqrt(0.00085) + Math.sqrt(0.012)) / 2;
        assertEquals(mid * mid, (scaled.beta(499) + scaled.beta(500)) / 2, 1e-6);

        NoiseSchedule cosine = NoiseSchedule.fromSpec(NoiseScheduleSpec.newBuilder()
                .setKind(BetaSchedule.BETA_SCHEDULE_COSINE).setTrainTimesteps(1000).build());
        double f0 = Math.pow(Math.cos(0.008 / 1.008 * Math.PI / 2), 2);
        double f1 = Math.pow(Math.cos((0.001 + 0.008) / 1.008 * Math.PI / 2), 2);
        assertEquals(f1 / f0, cosine.alphaBar(0), 1e-12);
        for (int t = 1; t < 1000; t++) {
            assertTrue(cosine.alphaBar(t) < cosine.alphaBar(t - 1));
            assertTrue(cosine.beta(t) <= 0.999);
        }
        assertEquals("NoiseSchedule[cosine(T=1000)]", cosine.toString());
    }

    @Test
    void uniformSpacing() {
        assertArrayEquals(new int[] {900, 800, 700, 600, 500, 400, 300, 200, 100, 0},
                TimestepSpacing.uniform(10, 1000));
        assertArrayEquals(new int[] {666, 333, 0}, TimestepSpacing.uniform(3, 1000));
        assertArrayEquals(new int[] {0}, TimestepSpacing.uniform(1, 1000));
        assertEquals(1000, TimestepSpacing.uniform(1000, 1000).length);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TimestepSpacing.uniform(0, 1000));
        assertEquals("steps must be in [1, 1000], got 0", e.getMessage());
    }

    @Test
    void quadraticSpacing() {
        // np.linspace(0, sqrt(800), 10) ** 2 -> i^2 * 800 / 81, floored.
        assertArrayEquals(new int[] {800, 632, 483, 355, 246, 158, 88, 39, 9, 0},
                TimestepSpacing.quadratic(10, 1000));
        for (int k : new int[] {2, 29, 30, 100, 500}) {
            int[] ts = TimestepSpacing.quadratic(k, 1000);
            assertEquals(k, ts.length);
            assertEquals(0, ts[k - 1]);
            for (int i = 1; i < k; i++) {
                assertTrue(ts[i] < ts[i - 1], "K=" + k + " at " + i);
            }
        }
    }
}
