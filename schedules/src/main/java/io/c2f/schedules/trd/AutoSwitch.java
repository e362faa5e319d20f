package io.c2f.schedules.trd;

import io.c2f.models.diffusion.Denoiser;
import io.c2f.models.diffusion.DenoiserException;
import io.c2f.models.engine.DenoiserSource;
import io.c2f.schedules.Baselines;
import io.c2f.schedules.rank.RankAnalysis;
import io.c2f.schedules.rank.RankCurve;
import java.io.PrintStream;

/** Where a C2F search starts its switch when none is given: the rank analysis's recommendation. */
public final class AutoSwitch {
    /** Seeds of the rank analyses run for a switch: apart from calibration (0..) and held-out (1e6..) seeds. */
    public static final long RANK_SEED_BASE = 2_000_000L;

    private AutoSwitch() {
    }

    /**
     * Switch time step recommended by a 32-seed, 50-step rank analysis; T / 2 when the rank curve is
     * flat (no signal, see {@link RankAnalysis#isFlat}).
     *
     * @param out where the choice is reported in one line
     */
    public static int timestep(DenoiserSource source, Denoiser denoiser, PrintStream out) throws DenoiserException {
        RankCurve curve = new RankAnalysis(denoiser, source.noiseSchedule()).analyse("full",
                Baselines.uniform(50, source.noiseSchedule().trainTimesteps(), source.highResolution(), 0f),
                TrdConfig.seeds(RANK_SEED_BASE, RankAnalysis.MIN_SEEDS));
        if (RankAnalysis.isFlat(curve)) {
            int t = source.noiseSchedule().trainTimesteps() / 2;
            out.println("rank analysis: the x0 rank curve is flat (no switch signal); switching at t = " + t);
            return t;
        }
        int t = RankAnalysis.recommendedSwitchTimestep(curve);
        out.println("rank analysis: recommended switch at t = " + t);
        return t;
    }
}
