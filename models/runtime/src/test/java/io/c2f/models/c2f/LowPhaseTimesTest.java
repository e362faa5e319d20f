package io.c2f.models.c2f;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.models.diffusion.NoiseSchedule;
import org.junit.jupiter.api.Test;

class LowPhaseTimesTest {
    private static final NoiseSchedule SCHEDULE = NoiseSchedule.ddpmLinear();

    @Test
    void snrMatchedTimeHasTheSignalToNoiseRatioOfTheBlockAverage() {
        int previous = Integer.MAX_VALUE;
        for (int t = 999; t >= 0; t--) {
            int matched = LowPhaseTimes.modelTime(LowPhaseTime.SNR_MATCHED, SCHEDULE, t, 4);
            double abar = SCHEDULE.alphaBar(t);
            double want = 4 * abar / (1 + 3 * abar);
            // SNR of the 2x2 average: abar / ((1 - abar) / 4); the matched time's SNR is as near as the grid allows
            double got = SCHEDULE.alphaBar(matched);
            assertTrue(matched < t || t == 0, "a block average is less noisy: t " + t + " -> " + matched);
            assertTrue(matched <= previous, "monotone");
            if (matched > 0) {
                double gap = Math.abs(got - want);
                assertTrue(gap <= Math.abs(SCHEDULE.alphaBar(matched - 1) - want) + 1e-15
                        && gap <= Math.abs(SCHEDULE.alphaBar(matched + 1) - want) + 1e-15,
                        "nearest on the grid at t " + t);
            }
            previous = matched;
        }
        assertEquals(-1, LowPhaseTimes.modelTime(LowPhaseTime.SNR_MATCHED, SCHEDULE, -1, 4));
        assertEquals(0, LowPhaseTimes.modelTime(LowPhaseTime.SNR_MATCHED, SCHEDULE, 0, 4), "never below 0");
        assertEquals(500, LowPhaseTimes.modelTime(LowPhaseTime.SAME, SCHEDULE, 500, 4));
        assertEquals(500, LowPhaseTimes.modelTime(LowPhaseTime.SNR_MATCHED, SCHEDULE, 500, 1), "1x1 blocks");
    }

    @Test
    void stepsWhoseMatchedTimesCollideStillGoDownEveryStep() throws Exception {
        io.c2f.models.tensor.Resolution low = io.c2f.models.tensor.Resolution.square(16);
        io.c2f.models.tensor.Resolution high = io.c2f.models.tensor.Resolution.square(32);
        C2fPlan plan = new C2fPlan(new int[] {900, 103, 102, 101, 50, 0}, 4, low, high,
                SwitchMethod.UPSAMPLE_XT_VARIANCE_CORRECTED, Interpolation.NEAREST, 0f, SwitchNoise.CONTINUOUS,
                LowPhaseTime.SNR_MATCHED);
        int raw103 = LowPhaseTimes.modelTime(LowPhaseTime.SNR_MATCHED, SCHEDULE, 103, 4);
        int raw102 = LowPhaseTimes.modelTime(LowPhaseTime.SNR_MATCHED, SCHEDULE, 102, 4);
        assertEquals(raw103, raw102, "at small t neighbouring steps match the same time");
        int[] times = LowPhaseTimes.forPlan(plan, SCHEDULE);
        assertEquals(5, times.length);
        for (int j = 1; j < times.length; j++) {
            assertTrue(times[j] < times[j - 1], java.util.Arrays.toString(times));
        }
        // and the whole plan samples (DDIM refuses a step from t to t)
        io.c2f.models.diffusion.GaussianDataDenoiser m = C2fExecutorTest.model(low, high);
        new C2fExecutor(m, SCHEDULE).run(plan, new long[] {1, 2});
        // the scheduled times themselves where nothing is matched
        C2fPlan same = plan.withSwitch(plan.switchMethod(), plan.interpolation(), plan.switchNoise(),
                LowPhaseTime.SAME);
        assertEquals(java.util.List.of(900, 103, 102, 101, 50),
                java.util.Arrays.stream(LowPhaseTimes.forPlan(same, SCHEDULE)).boxed().toList());
    }

    @Test
    void nearestTimestep() {
        assertEquals(-1, SCHEDULE.timestepNearest(1.0));
        assertEquals(999, SCHEDULE.timestepNearest(0.0));
        for (int t : new int[] {0, 1, 250, 998, 999}) {
            assertEquals(t, SCHEDULE.timestepNearest(SCHEDULE.alphaBar(t)));
        }
        assertThrows(IllegalArgumentException.class, () -> SCHEDULE.timestepNearest(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> SCHEDULE.timestepNearest(-0.1));
    }
}
