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
        return switch (method) {
            case RENOISE_X0 -> mix(x0Up, z, abarHigh);
            case UPSAMPLE_XT_VARIANCE_CORRECTED -> mixWhiteNoise(x0Up, impliedNoise(xLow, x0hatLow, abarLow), z, abarHigh);
        };
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
        float[] out = new float[z.data().length];
        liftNoise(nLow, z, out);
        return new ImageBatch(out, z.batch(), z.resolution(), z.channels());
    }

    /**
     * {@code mix(x0Up, whiteNoise(nLow, z), abar)} bit for bit, with one full-resolution array (the
     * result) where the two steps made four: the switch runs once per image, mostly before the JIT
     * has compiled it, so each pass over the 3 H W values counts.
     */
    static ImageBatch mixWhiteNoise(ImageBatch x0Up, ImageBatch nLow, ImageBatch z, double abar) {
        float[] out = new float[x0Up.data().length];
        liftNoise(nLow, z, out);
        mixInto(x0Up.data(), out, abar, out); // in place: element i reads its noise before writing it
        return new ImageBatch(out, x0Up.batch(), x0Up.resolution(), x0Up.channels());
    }

    /**
     * out[i] = n_h[i] = up_nearest(n_l)[i] / f + (z[i] - up_nearest(avgpool(z))[i]) in double,
     * rounded to float; the two upsampled terms are read from their low-resolution pixel.
     */
    private static void liftNoise(ImageBatch nLow, ImageBatch z, float[] out) {
        Resolution low = nLow.resolution();
        Resolution high = z.resolution();
        int[] f = Resampling.factors(low, high);
        double scale = Resampling.noiseScale(low, high);
        float[] m = Resampling.avgPool(z, low).data();
        float[] nl = nLow.data();
        float[] zd = z.data();
        int c = z.channels();
        int i = 0;
        for (int n = 0; n < z.batch(); n++) {
            int lowBase = n * nLow.imageSize();
            for (int y = 0; y < high.height(); y++) {
                int lowRow = lowBase + (y / f[0]) * low.width() * c;
                for (int xx = 0; xx < high.width(); xx++) {
                    int lowPixel = lowRow + (xx / f[1]) * c;
                    for (int ch = 0; ch < c; ch++, i++) {
                        out[i] = (float) (nl[lowPixel + ch] / scale + ((double) zd[i] - m[lowPixel + ch]));
                    }
                }
            }
        }
    }

    /** sqrt(abar) x0 + sqrt(1 - abar) noise, per element in double. */
    static ImageBatch mix(ImageBatch x0, ImageBatch noise, double abar) {
        float[] out = new float[x0.data().length];
        mixInto(x0.data(), noise.data(), abar, out);
        return new ImageBatch(out, x0.batch(), x0.resolution(), x0.channels());
    }

    /** out[i] = sqrt(abar) x[i] + sqrt(1 - abar) n[i] in double, rounded to float; out may be n. */
    private static void mixInto(float[] x, float[] n, double abar, float[] out) {
        double a = Math.sqrt(abar);
        double b = Math.sqrt(1.0 - abar);
        for (int i = 0; i < x.length; i++) {
            out[i] = (float) (a * x[i] + b * n[i]);
        }
    }
}
