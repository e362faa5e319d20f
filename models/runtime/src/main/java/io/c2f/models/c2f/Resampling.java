package io.c2f.models.c2f;

import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;

/**
 * Integer-factor resampling between the two resolutions of a C2F plan. A high resolution H x W and a
 * low resolution h x w have factors fy = H / h and fx = W / w (both integers). All sums and weights
 * are in double, rounded to float once per output element, in the order written here, so results are
 * reproducible bit for bit.
 */
public final class Resampling {
    private Resampling() {
    }

    /** {fy, fx}, or an exception when high is not an integer multiple of low. */
    public static int[] factors(Resolution low, Resolution high) {
        if (high.height() % low.height() != 0 || high.width() % low.width() != 0) {
            throw new InvalidPlanException("low_resolution", "high resolution " + high
                    + " is not an integer multiple of low resolution " + low);
        }
        return new int[] {high.height() / low.height(), high.width() / low.width()};
    }

    /**
     * The factor that keeps white noise at unit variance through average pooling:
     * sqrt(fy fx) (= f for square factors, exactly).
     */
    public static double noiseScale(Resolution low, Resolution high) {
        int[] f = factors(low, high);
        return Math.sqrt((double) f[0] * f[1]);
    }

    /** Mean over each fy x fx block (block sum in row-major order, divided by fy fx). */
    public static ImageBatch avgPool(ImageBatch x, Resolution low) {
        return avgPoolScaled(x, low, 1.0);
    }

    /** scale * mean over each fy x fx block, i.e. (float) (scale * (sum / (fy fx))). */
    public static ImageBatch avgPoolScaled(ImageBatch x, Resolution low, double scale) {
        int[] f = factors(low, x.resolution());
        int fy = f[0];
        int fx = f[1];
        int c = x.channels();
        int hw = x.width();
        int h = low.height();
        int w = low.width();
        double area = (double) fy * fx;
        float[] in = x.data();
        ImageBatch out = ImageBatch.zeros(x.batch(), low, c);
        float[] o = out.data();
        for (int n = 0; n < x.batch(); n++) {
            int inBase = n * x.imageSize();
            int outBase = n * out.imageSize();
            for (int y = 0; y < h; y++) {
                for (int xx = 0; xx < w; xx++) {
                    for (int ch = 0; ch < c; ch++) {
                        double sum = 0.0;
                        for (int dy = 0; dy < fy; dy++) {
                            for (int dx = 0; dx < fx; dx++) {
                                sum += in[inBase + ((y * fy + dy) * hw + xx * fx + dx) * c + ch];
                            }
                        }
                        o[outBase + (y * w + xx) * c + ch] = (float) (scale * (sum / area));
                    }
                }
            }
        }
        return out;
    }

    public static ImageBatch upsample(ImageBatch x, Resolution high, Interpolation interpolation) {
        return switch (interpolation) {
            case NEAREST -> upNearest(x, high);
            case BILINEAR -> upBilinear(x, high);
        };
    }

    /** Each low pixel copied to its fy x fx block. */
    public static ImageBatch upNearest(ImageBatch x, Resolution high) {
        int[] f = factors(x.resolution(), high);
        int c = x.channels();
        int w = x.width();
        return upsample(x, high, (in, inBase, y, xx, o, dst) ->
                System.arraycopy(in, inBase + ((y / f[0]) * w + xx / f[1]) * c, o, dst, c));
    }

    /**
     * Bilinear with half-pixel centres (TensorFlow's half_pixel_centers, PyTorch's
     * align_corners=False): output row y samples source row s = max(0, (y + 0.5) / fy - 0.5),
     * between rows floor(s) and min(floor(s) + 1, h - 1) with weight s - floor(s); same for columns.
     * Value = (1-wy)((1-wx) a + wx b) + wy((1-wx) c + wx d) in double.
     */
    public static ImageBatch upBilinear(ImageBatch x, Resolution high) {
        int[] f = factors(x.resolution(), high);
        int c = x.channels();
        int h = x.height();
        int w = x.width();
        int[] y0 = new int[high.height()];
        int[] y1 = new int[high.height()];
        double[] wy = new double[high.height()];
        axis(f[0], h, y0, y1, wy);
        int[] x0 = new int[high.width()];
        int[] x1 = new int[high.width()];
        double[] wx = new double[high.width()];
        axis(f[1], w, x0, x1, wx);
        return upsample(x, high, (in, inBase, y, xx, o, dst) -> {
            int a = inBase + (y0[y] * w + x0[xx]) * c;
            int b = inBase + (y0[y] * w + x1[xx]) * c;
            int cc = inBase + (y1[y] * w + x0[xx]) * c;
            int d = inBase + (y1[y] * w + x1[xx]) * c;
            double ay = 1.0 - wy[y];
            double ax = 1.0 - wx[xx];
            for (int ch = 0; ch < c; ch++) {
                double top = ax * in[a + ch] + wx[xx] * in[b + ch];
                double bottom = ax * in[cc + ch] + wx[xx] * in[d + ch];
                o[dst + ch] = (float) (ay * top + wy[y] * bottom);
            }
        });
    }

    /** Writes the channels of output pixel (y, xx) at o[dst..] from the source image starting at in[inBase]. */
    private interface PixelRule {
        void fill(float[] in, int inBase, int y, int xx, float[] o, int dst);
    }

    private static ImageBatch upsample(ImageBatch x, Resolution high, PixelRule rule) {
        int c = x.channels();
        ImageBatch out = ImageBatch.zeros(x.batch(), high, c);
        float[] in = x.data();
        float[] o = out.data();
        for (int n = 0; n < x.batch(); n++) {
            int inBase = n * x.imageSize();
            int outBase = n * out.imageSize();
            for (int y = 0; y < high.height(); y++) {
                for (int xx = 0; xx < high.width(); xx++) {
                    rule.fill(in, inBase, y, xx, o, outBase + (y * high.width() + xx) * c);
                }
            }
        }
        return out;
    }

    private static void axis(int factor, int size, int[] lo, int[] hi, double[] weight) {
        for (int i = 0; i < lo.length; i++) {
            double s = Math.max(0.0, (i + 0.5) / factor - 0.5);
            int l = (int) Math.floor(s);
            lo[i] = Math.min(l, size - 1);
            hi[i] = Math.min(l + 1, size - 1);
            weight[i] = s - l;
        }
    }
}
