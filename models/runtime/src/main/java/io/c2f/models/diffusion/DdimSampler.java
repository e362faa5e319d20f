package io.c2f.models.diffusion;

import io.c2f.models.noise.GaussianNoise;
import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;

/**
 * The reference sampler: plain full-resolution DDIM, one batched denoiser call per step. Kept
 * deliberately simple so the coarse-to-fine executor can be checked against it.
 *
 * <p>Noise: the initial state is {@link GaussianNoise#normal} of stream 0; step i with eta > 0
 * draws stream 2 + i. The output is the x0 predicted at the last step (which goes to t = -1).
 */
public final class DdimSampler {
    private final Denoiser denoiser;
    private final NoiseSchedule schedule;
    private final boolean clipX0;

    public DdimSampler(Denoiser denoiser, NoiseSchedule schedule, boolean clipX0) {
        this.denoiser = denoiser;
        this.schedule = schedule;
        this.clipX0 = clipX0;
    }

    public DdimSampler(Denoiser denoiser, NoiseSchedule schedule) {
        this(denoiser, schedule, false);
    }

    /**
     * Samples one image per seed.
     *
     * @param timesteps strictly decreasing model time steps in [0, T)
     */
    public ImageBatch sample(int[] timesteps, Resolution resolution, long[] seeds, double eta)
            throws DenoiserException {
        if (timesteps.length == 0) {
            throw new IllegalArgumentException("timesteps must not be empty");
        }
        DdimStep step = new DdimStep(schedule, eta, clipX0);
        ImageBatch x = GaussianNoise.normal(seeds, GaussianNoise.STREAM_INITIAL, resolution, denoiser.channels());
        ImageBatch x0 = null;
        for (int i = 0; i < timesteps.length; i++) {
            int t = timesteps[i];
            int tPrev = i + 1 < timesteps.length ? timesteps[i + 1] : -1;
            ImageBatch eps = denoiser.predictNoise(x, t);
            ImageBatch z = step.needsNoise(t, tPrev)
                    ? GaussianNoise.normal(seeds, GaussianNoise.stepStream(i), resolution, denoiser.channels())
                    : null;
            DdimStep.Result r = step.apply(x, eps, t, tPrev, z);
            x = r.xPrev();
            x0 = r.x0();
        }
        return x0;
    }
}
