package io.c2f.models.c2f;

import io.c2f.models.diffusion.NoiseSchedule;

/** The model time of each low-resolution step of a plan ({@link LowPhaseTime}). */
final class LowPhaseTimes {
    private LowPhaseTimes() {
    }

    /**
     * The model time for scheduled time {@code t} of a low step: t itself, or for
     * {@link LowPhaseTime#SNR_MATCHED} the time step nearest to abar' = k abar / (1 + (k - 1) abar),
     * never below 0 for t >= 0 (the model is not called at -1); -1 (the clean end) stays -1.
     */
    static int modelTime(LowPhaseTime mode, NoiseSchedule schedule, int t, int pixelsPerBlock) {
        if (mode == LowPhaseTime.SAME || t < 0) {
            return t;
        }
        double abar = schedule.alphaBar(t);
        double matched = pixelsPerBlock * abar / (1.0 + (pixelsPerBlock - 1) * abar);
        return Math.max(0, schedule.timestepNearest(matched));
    }
}
