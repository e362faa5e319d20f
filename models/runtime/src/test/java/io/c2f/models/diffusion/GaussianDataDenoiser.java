package io.c2f.models.diffusion;

import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The exact noise predictor for data that is N(mu, s^2) independently per element: with
 * x_t = sqrt(abar) x0 + sqrt(1 - abar) eps, E[eps | x_t] = sqrt(1 - abar) (x_t - sqrt(abar) mu) /
 * (abar s^2 + 1 - abar). mu is a smooth picture sampled at pixel centres, so the low- and
 * high-resolution "models" describe the same picture. Records every call (resolution, batch).
 */
public final class GaussianDataDenoiser implements Denoiser {
    private final NoiseSchedule schedule;
    private final Set<Resolution> resolutions;
    private final int channels;
    private final double sigma;
    private final List<String> calls = new ArrayList<>();
    private final Map<Resolution, double[]> means = new HashMap<>();

    public GaussianDataDenoiser(NoiseSchedule schedule, double sigma, Resolution... resolutions) {
        this.schedule = schedule;
        this.sigma = sigma;
        this.channels = 3;
        this.resolutions = new LinkedHashSet<>(List.of(resolutions));
    }

    /** The data mean at (y, x, c) of an image of resolution r. */
    public static double mu(Resolution r, int y, int x, int c) {
        return io.c2f.models.synthetic.SmoothMean.mu(r, y, x, c);
    }

    private double[] meanImage(Resolution r) {
        double[] mu = new double[r.pixels() * channels];
        int i = 0;
        for (int y = 0; y < r.height(); y++) {
            for (int x = 0; x < r.width(); x++) {
                for (int c = 0; c < channels; c++, i++) {
                    mu[i] = mu(r, y, x, c);
                }
            }
        }
        return mu;
    }

    public double sigma() {
        return sigma;
    }

    public List<String> calls() {
        return calls;
    }

    @Override
    public ImageBatch predictNoise(ImageBatch xt, int timestep) throws DenoiserException {
        Resolution r = xt.resolution();
        if (!resolutions.contains(r)) {
            throw new DenoiserException("no graph for " + r);
        }
        calls.add(r + "x" + xt.batch() + "@" + timestep);
        double abar = schedule.alphaBar(timestep);
        double a = Math.sqrt(abar);
        double b = Math.sqrt(1.0 - abar);
        double denom = abar * sigma * sigma + 1.0 - abar;
        double[] mu = means.computeIfAbsent(r, this::meanImage);
        float[] in = xt.data();
        float[] out = new float[in.length];
        for (int i = 0; i < in.length; i++) {
            out[i] = (float) (b * (in[i] - a * mu[i % mu.length]) / denom);
        }
        return new ImageBatch(out, xt.batch(), r, channels);
    }

    @Override
    public Set<Resolution> resolutions() {
        return resolutions;
    }

    @Override
    public int channels() {
        return channels;
    }

    @Override
    public long macsPerForward(Resolution resolution) {
        return 1000L * resolution.pixels();
    }

    @Override
    public String engine() {
        return "analytic-gaussian";
    }
}
