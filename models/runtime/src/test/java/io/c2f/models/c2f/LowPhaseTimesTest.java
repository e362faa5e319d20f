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
