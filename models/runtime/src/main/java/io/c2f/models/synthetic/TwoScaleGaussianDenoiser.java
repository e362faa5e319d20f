package io.c2f.models.synthetic;

import io.c2f.models.c2f.Resampling;
import io.c2f.models.diffusion.DenoiserException;
import io.c2f.models.diffusion.NoiseSchedule;
import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;

/**
 * Exact noise predictor for Gaussian data with mostly coarse content, the situation C2F is built
 * for; runtime tests, searches and benchmarks use it where a trained model is not the point. At high
 * resolution x0 = mu + c + d: c is
 * constant on 2x2 blocks with per-pixel variance vL, d is block-mean-free detail with eigenvalue
 * lambdaD. With P = upNearest(avgPool(.)):
 * eps = sqrt(1 - abar) [P r / (4 abar vL + 1 - abar) + (I - P) r / (abar lambdaD + 1 - abar)],
 * r = x - sqrt(abar) mu. At low resolution the data is iid N(avgPool(mu), vL). MACs are a nominal
 * 1000 per pixel, so a half-side step costs a quarter.
 */
public final class TwoScaleGaussianDenoiser extends AnalyticDenoiser {
    private final double vL;
    private final double lambdaD;
    private final ImageBatch muHigh;
    private final ImageBatch muLow;

    public TwoScaleGaussianDenoiser(NoiseSchedule schedule, Resolution low, Resolution high, double vL,
                                    double lambdaD) {
        super(schedule, low, high, "analytic-two-scale-gaussian");
        this.vL = vL;
        this.lambdaD = lambdaD;
        this.muHigh = SmoothMean.image(high, 3);
        this.muLow = Resampling.avgPool(muHigh, low);
    }

    /** 16x16 / 32x32 with vL = 0.25, lambdaD = 0.01 (coarse structure dominates, as in images). */
    public static TwoScaleGaussianDenoiser cifarLike(NoiseSchedule schedule) {
        return new TwoScaleGaussianDenoiser(schedule, Resolution.square(16), Resolution.square(32), 0.25, 0.01);
    }

    @Override
    public ImageBatch predictNoise(ImageBatch xt, int timestep) throws DenoiserException {
        double abar = schedule.alphaBar(timestep);
        double a = Math.sqrt(abar);
        double b = Math.sqrt(1 - abar);
        Resolution r = xt.resolution();
        if (!r.equals(high) && !r.equals(low)) {
            throw new DenoiserException("no graph for " + r + "; have " + low + " and " + high);
        }
        float[] x = xt.data();
        float[] residual = new float[x.length];
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
}
