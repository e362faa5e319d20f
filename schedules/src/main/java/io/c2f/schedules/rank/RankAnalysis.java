package io.c2f.schedules.rank;

import io.c2f.models.c2f.C2fExecutor;
import io.c2f.models.c2f.C2fPlan;
import io.c2f.models.diffusion.Denoiser;
import io.c2f.models.diffusion.DenoiserException;
import io.c2f.models.diffusion.NoiseSchedule;
import java.util.ArrayList;
import java.util.List;

/**
 * Rank analysis of METHOD.md: run a batch of N >= 32 seeds along a trajectory and, at every step,
 * take the PCA rank (95% and 99% energy) of the predicted x0 and of x_t via the N x N Gram matrix.
 *
 * <h2>Resolution of C2F points</h2>
 * Points of low-resolution steps are computed at the low resolution and carry it in
 * {@link RankPoint#resolution()}. They equal the ranks after nearest upsampling to the high
 * resolution exactly: nearest upsampling by f repeats every value f^2 times, which multiplies the
 * Gram matrix by f^2 and leaves every energy fraction unchanged. (Bilinear upsampling would smooth and
 * could lower them; it is not used here.)
 *
 * <h2>Recommended switch (our rule; the paper gives none in closed form)</h2>
 * The paper observes that ranks first decrease, then increase. On the full-resolution x0 rank curve at
 * 95% energy, let m be its minimum and i* the last step of the first run of steps at m (the plateau
 * where the trajectory carries coarse structure only). Detail appears from step i* + 1 on, so the
 * switch is at index s = i* + 1 (steps 0 .. i* at low resolution), clamped to [1, K - 1]. As a time
 * step: t_switch = timesteps[s]; any other plan switches at the number of its time steps greater than
 * t_switch ({@link #switchIndexFor}).
 */
public final class RankAnalysis {
    /** The smallest batch METHOD.md allows for a rank analysis. */
    public static final int MIN_SEEDS = 32;

    private final C2fExecutor executor;

    public RankAnalysis(Denoiser denoiser, NoiseSchedule schedule) {
        this.executor = new C2fExecutor(denoiser, schedule);
    }

    /** Runs plan on the seeds and records the ranks of every step. */
    public RankCurve analyse(String label, C2fPlan plan, long[] seeds) throws DenoiserException {
        if (seeds.length < MIN_SEEDS) {
            throw new IllegalArgumentException("rank analysis needs N >= " + MIN_SEEDS + " seeds, got "
                    + seeds.length);
        }
        List<RankPoint> points = new ArrayList<>();
        executor.run(plan, seeds, (step, modelTime, res, xt, x0) -> {
            PcaSpectrum sx0 = PcaSpectrum.of(x0);
            PcaSpectrum sxt = PcaSpectrum.of(xt);
            // the scheduled time step, not the model time: with SNR-matched low steps the model runs at an
            // earlier t', but the step stands at its scheduled place in the trajectory, as in a full run
            int t = plan.timesteps()[step];
            points.add(new RankPoint(step, t, res, sx0.rankAt(0.95), sx0.rankAt(0.99), sxt.rankAt(0.95),
                    sxt.rankAt(0.99)));
        });
        return new RankCurve(label, plan, seeds.length, points);
    }

    /** The switch index recommended by the rule in the class comment, for the curve's own plan. */
    public static int recommendedSwitchIndex(RankCurve fullResolution) {
        List<RankPoint> p = fullResolution.points();
        int k = p.size();
        if (k < 2) {
            throw new IllegalArgumentException("a switch needs a curve of at least 2 steps, got " + k);
        }
        int min = Integer.MAX_VALUE;
        for (RankPoint q : p) {
            min = Math.min(min, q.x0Rank95());
        }
        int first = 0;
        while (p.get(first).x0Rank95() != min) {
            first++;
        }
        int last = first;
        while (last + 1 < k && p.get(last + 1).x0Rank95() == min) {
            last++;
        }
        return Math.max(1, Math.min(k - 1, last + 1));
    }

    /**
     * Whether the curve carries no switch signal: the x0 rank at 95% varies by at most 1 along the
     * trajectory (e.g. data of full rank, where every batch of N images has rank about N - 1). The
     * rule then degenerates to the last step; callers should fall back to another choice and say so.
     */
    public static boolean isFlat(RankCurve curve) {
        int min = Integer.MAX_VALUE;
        int max = Integer.MIN_VALUE;
        for (RankPoint p : curve.points()) {
            min = Math.min(min, p.x0Rank95());
            max = Math.max(max, p.x0Rank95());
        }
        return max - min <= 1;
    }

    /** The time step of the first high-resolution step under the recommendation. */
    public static int recommendedSwitchTimestep(RankCurve fullResolution) {
        return fullResolution.points().get(recommendedSwitchIndex(fullResolution)).timestep();
    }

    /**
     * The switch index of a plan with these time steps that switches at {@code switchTimestep}: the
     * number of steps whose time step is greater, clamped to [1, K - 1].
     */
    public static int switchIndexFor(int[] timesteps, int switchTimestep) {
        int s = 0;
        for (int t : timesteps) {
            if (t > switchTimestep) {
                s++;
            }
        }
        return Math.max(1, Math.min(timesteps.length - 1, s));
    }
}
