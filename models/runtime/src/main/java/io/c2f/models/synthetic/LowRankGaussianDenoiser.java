package io.c2f.models.synthetic;

import io.c2f.models.c2f.Resampling;
import io.c2f.models.diffusion.DenoiserException;
import io.c2f.models.diffusion.NoiseSchedule;
import io.c2f.models.noise.GaussianNoise;
import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;

/**
 * Exact noise predictor for Gaussian data of low intrinsic rank, so a batch's PCA rank behaves as it
 * does for images: x0 = mu + sum_j a_j U_j + d with r orthonormal coarse (2x2 block-constant) basis
 * images U_j, a_j ~ N(0, v_j), v_j = v0 decay^j, and iid fine detail d ~ N(0, lambdaD).
 *
 * <p>With covariance C = U diag(v) U^T + lambdaD I the posterior mean gives
 * eps = sqrt(1 - abar) [c_perp r + sum_j (c_j - c_perp) (U_j . r) U_j], r = x - sqrt(abar) mu,
 * c_j = 1 / (abar (v_j + lambdaD) + 1 - abar), c_perp = 1 / (abar lambdaD + 1 - abar).
 * At low resolution the data is avgPool(x0): the same form with basis 2 avgPool(U_j) (orthonormal),
 * variances v_j / 4 and detail lambdaD / 4, so both resolutions describe the same pictures.
 * The basis is drawn deterministically from {@link GaussianNoise} (seed {@code basisSeed}).
 */
public final class LowRankGaussianDenoiser extends AnalyticDenoiser {
    private final double[] variances;
    private final double lambdaD;
    private final float[][] basisHigh;
    private final float[][] basisLow;
    private final float[] muHigh;
    private final float[] muLow;

    public LowRankGaussianDenoiser(NoiseSchedule schedule, Resolution low, Resolution high, int rank, double v0,
                                   double decay, double lambdaD, long basisSeed) {
        super(schedule, low, high, "analytic-low-rank-gaussian");
        int dLow = low.pixels() * 3;
        if (rank < 1 || rank > dLow) {
            throw new IllegalArgumentException("rank must be in [1, " + dLow + "], got " + rank);
        }
        this.lambdaD = lambdaD;
        this.variances = new double[rank];
        this.basisLow = new float[rank][];
        this.basisHigh = new float[rank][];
        double[][] q = new double[rank][];
        for (int j = 0; j < rank; j++) {
            variances[j] = v0 * Math.pow(decay, j);
            float[] g = new float[dLow];
            GaussianNoise.fill(basisSeed, j, g);
            double[] v = new double[dLow];
            for (int i = 0; i < dLow; i++) {
                v[i] = g[i];
            }
            for (int k = 0; k < j; k++) { // modified Gram-Schmidt, twice for stability
                for (int pass = 0; pass < 2; pass++) {
                    double dot = 0;
                    for (int i = 0; i < dLow; i++) {
                        dot += v[i] * q[k][i];
                    }
                    for (int i = 0; i < dLow; i++) {
                        v[i] -= dot * q[k][i];
                    }
                }
            }
            double norm = 0;
            for (double e : v) {
                norm += e * e;
            }
            norm = Math.sqrt(norm);
            q[j] = new double[dLow];
            basisLow[j] = new float[dLow];
            for (int i = 0; i < dLow; i++) {
                q[j][i] = v[i] / norm;
                basisLow[j][i] = (float) q[j][i];
            }
            // nearest upsampling repeats each value 4 times: divide by 2 to stay unit norm
            ImageBatch up = Resampling.upNearest(new ImageBatch(basisLow[j].clone(), 1, low, 3), high);
            basisHigh[j] = up.data();
            for (int i = 0; i < basisHigh[j].length; i++) {
                basisHigh[j][i] *= 0.5f;
            }
        }
        ImageBatch mu = SmoothMean.image(high, 3);
        this.muHigh = mu.data();
        this.muLow = Resampling.avgPool(mu, low).data();
    }

    /** 16x16 / 32x32, rank 12, v0 = 0.3, decay 0.75, lambdaD = 0.002. */
    public static LowRankGaussianDenoiser cifarLike(NoiseSchedule schedule) {
        return new LowRankGaussianDenoiser(schedule, Resolution.square(16), Resolution.square(32), 12, 0.3, 0.75,
                0.002, 20260101L);
    }

    @Override
    public ImageBatch predictNoise(ImageBatch xt, int timestep) throws DenoiserException {
        Resolution r = xt.resolution();
        boolean isHigh = r.equals(high);
        if (!isHigh && !r.equals(low)) {
            throw new DenoiserException("no graph for " + r + "; have " + low + " and " + high);
        }
        double abar = schedule.alphaBar(timestep);
        double a = Math.sqrt(abar);
        double b = Math.sqrt(1 - abar);
        float[][] basis = isHigh ? basisHigh : basisLow;
        float[] mu = isHigh ? muHigh : muLow;
        double scale = isHigh ? 1.0 : 0.25;
        double lambda = lambdaD * scale;
        double cPerp = 1.0 / (abar * lambda + 1 - abar);
        int d = xt.imageSize();
        float[] x = xt.data();
        float[] out = new float[x.length];
        double[] res = new double[d];
        for (int n = 0; n < xt.batch(); n++) {
            int base = n * d;
            for (int i = 0; i < d; i++) {
                res[i] = x[base + i] - a * mu[i];
            }
            double[] acc = new double[d];
            for (int i = 0; i < d; i++) {
                acc[i] = cPerp * res[i];
            }
            for (int j = 0; j < basis.length; j++) {
                float[] u = basis[j];
                double dot = 0;
                for (int i = 0; i < d; i++) {
                    dot += u[i] * res[i];
                }
                double cj = 1.0 / (abar * (variances[j] * scale + lambda) + 1 - abar);
                double k = (cj - cPerp) * dot;
                for (int i = 0; i < d; i++) {
                    acc[i] += k * u[i];
                }
            }
            for (int i = 0; i < d; i++) {
                out[base + i] = (float) (b * acc[i]);
            }
        }
        return new ImageBatch(out, xt.batch(), r, xt.channels());
    }
}
