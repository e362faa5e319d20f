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

    /**
     * The model times of timesteps[0 .. switchIndex] of a plan (index switchIndex is where the last low
     * step lands; -1 when every step is low). Kept strictly decreasing: two scheduled steps whose
     * matched times round to the same grid step would make a DDIM step from t to t, so a later one
     * moves one step down.
     */
    static int[] forPlan(C2fPlan plan, NoiseSchedule schedule) {
        int[] f = Resampling.factors(plan.low(), plan.high());
        int n = plan.switchIndex();
        int[] times = new int[n + 1];
        for (int j = 0; j <= n; j++) {
            int t = j < plan.steps() ? plan.timestep(j) : -1;
            int m = modelTime(plan.lowPhaseTime(), schedule, t, f[0] * f[1]);
            times[j] = j == 0 || t < 0 ? m : Math.min(m, times[j - 1] - 1);
        }
        return times;
    }
}
