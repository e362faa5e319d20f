package io.c2f.models.diffusion;

import io.c2f.models.tensor.ImageBatch;

/**
 * One DDIM update (Song et al. 2021, eq. 12) from x_t to x_{t_prev}, for an epsilon-predicting
 * model:
 * <pre>
 * x0    = (x_t - sqrt(1 - abar_t) eps) / sqrt(abar_t)
 * sigma = eta sqrt((1 - abar_prev) / (1 - abar_t)) sqrt(1 - abar_t / abar_prev)
 * x_prev = sqrt(abar_prev) x0 + sqrt(max(0, 1 - abar_prev - sigma^2)) eps + sigma z,   z ~ N(0, I)
 * </pre>
 * t_prev = -1 is the final step: abar_prev = 1, so sigma = 0 and x_prev = x0.
 *
 * <p>Every element is computed in double from the float inputs and rounded to float once at the
 * end, so the result does not depend on evaluation order beyond what is written here.
 *
 * <p>Clipping (off by default): with {@code clipX0} the predicted x0 is clamped to [-1, 1] before
 * it enters x_prev; eps is left as the model predicted it (the DDIM reference code and diffusers
 * do the same for epsilon prediction). Off by default because a clipped x0 no longer matches the
 * model's own noise estimate, and the C2F switch and rank analysis want the unclipped prediction.
 */
public final class DdimStep {
    private final NoiseSchedule schedule;
    private final double eta;
    private final boolean clipX0;

    /** What one step produced: the next state and the x0 predicted on the way. */
    public record Result(ImageBatch xPrev, ImageBatch x0) {
    }

    public DdimStep(NoiseSchedule schedule, double eta, boolean clipX0) {
        if (!(eta >= 0.0) || Double.isInfinite(eta)) {
            throw new IllegalArgumentException("eta must be finite and >= 0, got " + eta);
        }
        this.schedule = schedule;
        this.eta = eta;
        this.clipX0 = clipX0;
    }

    public DdimStep(NoiseSchedule schedule, double eta) {
        this(schedule, eta, false);
    }

    /** Whether this step draws noise: sigma is zero for eta = 0 and for the final step. */
    public boolean needsNoise(int t, int tPrev) {
        return sigma(t, tPrev) != 0.0;
    }

    /** The sigma of the step from t to tPrev. */
    public double sigma(int t, int tPrev) {
        if (eta == 0.0 || tPrev == -1) {
            return 0.0;
        }
        double abar = schedule.alphaBar(t);
        double abarPrev = schedule.alphaBar(tPrev);
        return eta * Math.sqrt((1.0 - abarPrev) / (1.0 - abar)) * Math.sqrt(1.0 - abar / abarPrev);
    }

    /**
     * Applies the update to every element.
     *
     * @param xt the state at time step t
     * @param eps the model's noise prediction for xt at t (same shape)
     * @param t model time step in [0, T)
     * @param tPrev the next time step, smaller than t, or -1 for the final step
     * @param noise z of the same shape; required when {@link #needsNoise(int, int)}, else ignored
     */
    public Result apply(ImageBatch xt, ImageBatch eps, int t, int tPrev, ImageBatch noise) {
        if (tPrev >= t || tPrev < -1) {
            throw new IllegalArgumentException("t_prev must be in [-1, t), got t=" + t + ", t_prev=" + tPrev);
        }
        checkShape("eps", xt, eps);
        double sigma = sigma(t, tPrev);
        if (sigma != 0.0) {
            if (noise == null) {
                throw new IllegalArgumentException("step " + t + " -> " + tPrev + " with eta " + eta
                        + " needs noise");
            }
            checkShape("noise", xt, noise);
        }
        double abar = schedule.alphaBar(t);
        double abarPrev = schedule.alphaBar(tPrev);
        double sqrtAbar = Math.sqrt(abar);
        double sqrtOneMinusAbar = Math.sqrt(1.0 - abar);
        double sqrtAbarPrev = Math.sqrt(abarPrev);
        double direction = Math.sqrt(Math.max(0.0, 1.0 - abarPrev - sigma * sigma));

        float[] x = xt.data();
        float[] e = eps.data();
        float[] z = sigma != 0.0 ? noise.data() : null;
        float[] xPrev = new float[x.length];
        float[] x0 = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            double ei = e[i];
            double x0i = (x[i] - sqrtOneMinusAbar * ei) / sqrtAbar;
            if (clipX0) {
                x0i = Math.min(1.0, Math.max(-1.0, x0i));
            }
            double xp = sqrtAbarPrev * x0i + direction * ei;
            if (z != null) {
                xp += sigma * z[i];
            }
            x0[i] = (float) x0i;
            xPrev[i] = (float) xp;
        }
        return new Result(new ImageBatch(xPrev, xt.batch(), xt.resolution(), xt.channels()),
                new ImageBatch(x0, xt.batch(), xt.resolution(), xt.channels()));
    }

    private static void checkShape(String name, ImageBatch xt, ImageBatch other) {
        if (other.batch() != xt.batch() || !other.resolution().equals(xt.resolution())
                || other.channels() != xt.channels()) {
            throw new IllegalArgumentException(name + " has shape " + other + ", x_t has " + xt);
        }
    }
}
