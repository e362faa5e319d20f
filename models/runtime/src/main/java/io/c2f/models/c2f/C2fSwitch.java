package io.c2f.models.c2f;

import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;

/**
 * The switch from low to high resolution at time step t_s (abar = abar_s), given the low-resolution
 * state x_{t_s}, the x0 predicted by the last low step, and full-resolution N(0, 1) noise z (the
 * seed's initial noise or a stream of its own, {@link SwitchNoise}).
 * Let f = sqrt(fy fx) be the noise scale of the factor ({@link Resampling#noiseScale}).
 * <ul>
 * <li>{@link SwitchMethod#RENOISE_X0}: x = sqrt(abar_s) up(x0hat) + sqrt(1 - abar_s) z.</li>
 * <li>{@link SwitchMethod#UPSAMPLE_XT_VARIANCE_CORRECTED}: the implied low-resolution noise
 * n_l = (x_{t_s} - sqrt(abar_s) x0hat) / sqrt(1 - abar_s) is lifted to white full-resolution noise
 * n_h = up_nearest(n_l) / f + (z - up_nearest(avgpool(z))), then
 * x = sqrt(abar_s) up(x0hat) + sqrt(1 - abar_s) n_h. If n_l is white with unit variance, so is n_h:
 * per pixel 1/f^2 + (1 - 1/f^2) = 1, and inside a block the covariances 1/f^2 and -1/f^2 cancel.
 * Its block means are n_l / f, the same relation the initial noise has (low-resolution initial
 * state = f avgpool(full-resolution noise)), so the low-resolution trajectory's noise is kept.</li>
 * </ul>
 * up() is the plan's {@link Interpolation}; the noise is always lifted with nearest blocks.
 */
final class C2fSwitch {
    private C2fSwitch() {
    }

    /** The high-resolution state at t_s, when the low phase ran at the scheduled time steps. */
    public static ImageBatch apply(SwitchMethod method, Interpolation interpolation, ImageBatch xLow,
                                   ImageBatch x0hatLow, double abar, ImageBatch z) {
        return apply(method, interpolation, xLow, x0hatLow, abar, abar, z);
    }

    /**
     * The high-resolution state at t_s (abar = abarHigh) from a low-resolution state that the model
     * saw at abarLow (the two differ when the low phase runs at SNR-matched times,
     * {@link LowPhaseTime#SNR_MATCHED}): the implied noise is taken at abarLow, the result is mixed at
     * abarHigh.
     */
    public static ImageBatch apply(SwitchMethod method, Interpolation interpolation, ImageBatch xLow,
                                   ImageBatch x0hatLow, double abarLow, double abarHigh, ImageBatch z) {
        Resolution high = z.resolution();
        ImageBatch x0Up = Resampling.upsample(x0hatLow, high, interpolation);
        ImageBatch noise = switch (method) {
            case RENOISE_X0 -> z;
            case UPSAMPLE_XT_VARIANCE_CORRECTED -> whiteNoise(impliedNoise(xLow, x0hatLow, abarLow), z);
        };
        return mix(x0Up, noise, abarHigh);
    }

    /** n = (x_t - sqrt(abar) x0hat) / sqrt(1 - abar), per element in double. */
    public static ImageBatch impliedNoise(ImageBatch xt, ImageBatch x0hat, double abar) {
        double a = Math.sqrt(abar);
        double b = Math.sqrt(1.0 - abar);
        float[] x = xt.data();
        float[] x0 = x0hat.data();
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (float) ((x[i] - a * x0[i]) / b);
        }
        return new ImageBatch(out, xt.batch(), xt.resolution(), xt.channels());
    }

    /**
     * n_h = up_nearest(n_l) / f + (z - up_nearest(avgpool(z))), per element in double: the block mean
     * of z is summed in row-major order and divided by fy fx, as in {@link Resampling#avgPool}.
     */
    public static ImageBatch whiteNoise(ImageBatch nLow, ImageBatch z) {
        Resolution low = nLow.resolution();
        Resolution high = z.resolution();
        double scale = Resampling.noiseScale(low, high);
        ImageBatch zMean = Resampling.upNearest(Resampling.avgPool(z, low), high);
        ImageBatch nUp = Resampling.upNearest(nLow, high);
        float[] zd = z.data();
        float[] m = zMean.data();
        float[] nu = nUp.data();
        float[] out = new float[zd.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (nu[i] / scale + ((double) zd[i] - m[i]));
        }
        return new ImageBatch(out, z.batch(), high, z.channels());
    }

    /** sqrt(abar) x0 + sqrt(1 - abar) noise, per element in double. */
    static ImageBatch mix(ImageBatch x0, ImageBatch noise, double abar) {
        double a = Math.sqrt(abar);
        double b = Math.sqrt(1.0 - abar);
        float[] x = x0.data();
        float[] n = noise.data();
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (float) (a * x[i] + b * n[i]);
        }
        return new ImageBatch(out, x0.batch(), x0.resolution(), x0.channels());
    }
}
