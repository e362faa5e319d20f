package io.c2f.models.c2f;

import io.c2f.models.diffusion.Denoiser;
import io.c2f.models.diffusion.DenoiserException;
import io.c2f.models.diffusion.GaussianDataDenoiser;
import io.c2f.models.diffusion.NoiseSchedule;
import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;
import java.util.Set;

/**
 * Exact noise predictor for Gaussian data with mostly coarse content, the situation C2F is built
 * for. At high resolution x0 = mu + c + d: c is constant on 2x2 blocks with per-pixel variance vL
 * (eigenvalue 4 vL on block-constant images), d is block-mean-free detail with eigenvalue lambdaD.
 * Block means P = upNearest(avgPool(.)) and detail I - P are orthogonal projections, so
 * eps = sqrt(1 - abar) [P r / (4 abar vL + 1 - abar) + (I - P) r / (abar lambdaD + 1 - abar)],
 * r = x - sqrt(abar) mu. At low resolution the model is the downsampled data: iid
 * N(avgPool(mu), vL).
 */
final class TwoScaleGaussianDenoiser implements Denoiser {
    private final NoiseSchedule schedule;
    private final Resolution low;
    private final Resolution high;
    private final double vL;
    private final double lambdaD;
    private final ImageBatch muHigh;
    private final ImageBatch muLow;

    TwoScaleGaussianDenoiser(NoiseSchedule schedule, Resolution low, Resolution high, double vL, double lambdaD) {
        if (high.height() != 2 * low.height() || high.width() != 2 * low.width()) {
            throw new IllegalArgumentException("factor 2 only");
        }
        this.schedule = schedule;
        this.low = low;
        this.high = high;
        this.vL = vL;
        this.lambdaD = lambdaD;
        float[] mu = new float[high.pixels() * 3];
        int i = 0;
        for (int y = 0; y < high.height(); y++) {
            for (int x = 0; x < high.width(); x++) {
                for (int c = 0; c < 3; c++, i++) {
                    mu[i] = (float) GaussianDataDenoiser.mu(high, y, x, c);
                }
            }
        }
        this.muHigh = new ImageBatch(mu, 1, high, 3);
        this.muLow = Resampling.avgPool(muHigh, low);
    }

    @Override
    public ImageBatch predictNoise(ImageBatch xt, int timestep) throws DenoiserException {
        double abar = schedule.alphaBar(timestep);
        double a = Math.sqrt(abar);
        double b = Math.sqrt(1 - abar);
        Resolution r = xt.resolution();
        float[] x = xt.data();
        float[] residual = new float[x.length];
        if (!r.equals(high) && !r.equals(low)) {
            throw new DenoiserException("no graph for " + r);
        }
        float[] mu = (r.equals(high) ? muHigh : muLow).data();
        for (int i = 0; i < x.length; i++) {
            residual[i] = (float) (x[i] - a * mu[i % mu.length]);
        }
        float[] out = new float[x.length];
        if (r.equals(low)) {
            double k = b / (abar * vL + 1 - abar);
            for (int i = 0; i < x.length; i++) {
                out[i] = (float) (k * residual[i]);
            }
        } else {
            ImageBatch rb = new ImageBatch(residual, xt.batch(), r, xt.channels());
            float[] coarse = Resampling.upNearest(Resampling.avgPool(rb, low), high).data();
            double kc = b / (4 * abar * vL + 1 - abar);
            double kd = b / (abar * lambdaD + 1 - abar);
            for (int i = 0; i < x.length; i++) {
                out[i] = (float) (kc * coarse[i] + kd * (residual[i] - coarse[i]));
            }
        }
        return new ImageBatch(out, xt.batch(), r, xt.channels());
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
        return "analytic-two-scale-gaussian";
    }
}
