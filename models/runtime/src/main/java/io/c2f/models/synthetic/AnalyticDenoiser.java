package io.c2f.models.synthetic;

import io.c2f.models.diffusion.Denoiser;
import io.c2f.models.diffusion.NoiseSchedule;
import io.c2f.models.tensor.Resolution;
import java.util.Set;

/**
 * What the analytic two-resolution denoisers share: a high resolution twice the low one, 3
 * channels, and nominal MACs of 1000 per pixel (so a half-side step costs a quarter).
 */
abstract class AnalyticDenoiser implements Denoiser {
    final NoiseSchedule schedule;
    final Resolution low;
    final Resolution high;
    private final String engine;

    AnalyticDenoiser(NoiseSchedule schedule, Resolution low, Resolution high, String engine) {
        if (high.height() != 2 * low.height() || high.width() != 2 * low.width()) {
            throw new IllegalArgumentException("high must be twice low, got " + low + " and " + high);
        }
        this.schedule = schedule;
        this.low = low;
        this.high = high;
        this.engine = engine;
    }

    @Override
    public Set<Resolution> resolutions() {
        return Set.of(low, high);
    }

    @Override
    public int channels() {
        return 3;
    }

    @Override
    public long macsPerForward(Resolution resolution) {
        return 1000L * resolution.pixels();
    }

    @Override
    public String engine() {
        return engine;
    }
}
