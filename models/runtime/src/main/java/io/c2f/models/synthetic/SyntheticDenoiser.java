package io.c2f.models.synthetic;

import io.c2f.models.diffusion.Denoiser;
import io.c2f.models.diffusion.DenoiserException;
import io.c2f.models.diffusion.NoiseSchedule;
import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;

/**
 * A stand-in model for simulated devices: the exact noise predictor for data that is Gaussian
 * around a smooth colour pattern (so sampling produces a real, deterministic image), plus a
 * configurable cost per forward pass and resolution, spent by sleeping. It lets one JVM act as
 * hundreds of devices that speak the real protocol with realistic latencies (the agent's
 * simulator uses it).
 */
public final class SyntheticDenoiser implements Denoiser {
    private final NoiseSchedule schedule;
    private final Set<Resolution> resolutions;
    private final Map<Resolution, Long> macs;
    private final LongSupplier nanosPerMegaMac;
    private final double sigma = 0.3;
    private final double faultRate;
    private final SplittableRandom faults;

    /**
     * @param macs pretend MACs per forward and image, by resolution
     * @param nanosPerMegaMac current cost of a million MACs in nanoseconds (may change: a device slowing down)
     */
    public SyntheticDenoiser(NoiseSchedule schedule, Map<Resolution, Long> macs, LongSupplier nanosPerMegaMac) {
        this(schedule, macs, nanosPerMegaMac, 0, 0);
    }

    /**
     * @param faultRate probability that one forward pass fails (a flaky accelerator), in [0, 1]
     * @param faultSeed seeds the fault draws, so a simulation can be repeated
     */
    public SyntheticDenoiser(NoiseSchedule schedule, Map<Resolution, Long> macs, LongSupplier nanosPerMegaMac,
            double faultRate, long faultSeed) {
        if (faultRate < 0 || faultRate > 1) {
            throw new IllegalArgumentException("fault rate must be in [0, 1], got " + faultRate);
        }
        this.faultRate = faultRate;
        this.faults = new SplittableRandom(faultSeed);
        this.schedule = schedule;
        this.resolutions = new LinkedHashSet<>(List.copyOf(macs.keySet()));
        this.macs = Map.copyOf(macs);
        this.nanosPerMegaMac = nanosPerMegaMac;
    }

    private static double mu(Resolution r, int y, int x, int c) {
        double u = (y + 0.5) / r.height();
        double v = (x + 0.5) / r.width();
        return 0.5 * StrictMath.sin(2 * Math.PI * u + c) * StrictMath.cos(2 * Math.PI * v);
    }

    @Override
    public ImageBatch predictNoise(ImageBatch xt, int timestep) throws DenoiserException {
        Resolution r = xt.resolution();
        if (!resolutions.contains(r)) {
            throw new DenoiserException("synthetic model has no " + r + " graph; it has " + resolutions);
        }
        if (faultRate > 0 && faults.nextDouble() < faultRate) {
            throw new DenoiserException("simulated fault: the accelerator failed at t=" + timestep);
        }
        long costNanos = macs.get(r) * xt.batch() * nanosPerMegaMac.getAsLong() / 1_000_000L;
        if (costNanos > 0) {
            try {
                Thread.sleep(costNanos / 1_000_000L, (int) (costNanos % 1_000_000L));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DenoiserException("interrupted");
            }
        }
        double abar = schedule.alphaBar(timestep);
        double a = Math.sqrt(abar);
        double b = Math.sqrt(1 - abar);
        double denom = abar * sigma * sigma + 1 - abar;
        float[] in = xt.data();
        float[] out = new float[in.length];
        int c = xt.channels();
        int i = 0;
        for (int n = 0; n < xt.batch(); n++) {
            for (int y = 0; y < r.height(); y++) {
                for (int x = 0; x < r.width(); x++) {
                    for (int ch = 0; ch < c; ch++, i++) {
                        out[i] = (float) (b * (in[i] - a * mu(r, y, x, ch)) / denom);
                    }
                }
            }
        }
        return new ImageBatch(out, xt.batch(), r, c);
    }

    @Override
    public Set<Resolution> resolutions() {
        return resolutions;
    }

    @Override
    public int channels() {
        return 3;
    }

    @Override
    public long macsPerForward(Resolution resolution) {
        Long m = macs.get(resolution);
        if (m == null) {
            throw new IllegalArgumentException("no " + resolution + " graph");
        }
        return m;
    }

    @Override
    public String engine() {
        return "simulated";
    }
}
