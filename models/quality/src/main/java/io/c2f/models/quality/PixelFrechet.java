package io.c2f.models.quality;

import io.c2f.models.tensor.ImageBatch;

/**
 * "Fréchet distance on PCA-k features of 8x8-downsampled pixels": images are average-pooled to 8x8x3
 * (192 values), projected on the top k principal axes of a fitting set (the training images), and
 * the Fréchet distance between Gaussians fitted to two feature sets is computed. It compares colour
 * layout statistics only; it is not FID (no Inception features) and its values are not comparable to FID.
 * Detail finer than the 8x8 cells is invisible to it: see {@link MultiScaleFrechet} and {@link DetailMeasures}.
 */
public final class PixelFrechet implements SetDistance {
    public static final int POOLED = 8;
    private final PcaFrechet pca;

    private PixelFrechet(PcaFrechet pca) {
        this.pca = pca;
    }

    public static PixelFrechet fit(ImageBatch images, int k) {
        return new PixelFrechet(PcaFrechet.fit(pooled(images), k, "pooled values"));
    }

    public double[][] features(ImageBatch images) {
        return pca.project(pooled(images));
    }

    @Override
    public double distance(ImageBatch a, ImageBatch b) {
        return PcaFrechet.frechet(features(a), features(b));
    }

    /** Block means on a POOLED x POOLED grid, channels innermost: 8 * 8 * channels values per image. */
    static double[][] pooled(ImageBatch images) {
        int h = images.height();
        int w = images.width();
        int c = images.channels();
        if (h % POOLED != 0 || w % POOLED != 0) {
            throw new IllegalArgumentException(images.resolution() + " is not a multiple of " + POOLED);
        }
        int bh = h / POOLED;
        int bw = w / POOLED;
        double[][] out = new double[images.batch()][POOLED * POOLED * c];
        for (int n = 0; n < images.batch(); n++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    for (int ch = 0; ch < c; ch++) {
                        out[n][((y / bh) * POOLED + x / bw) * c + ch] += images.get(n, y, x, ch) / (double) (bh * bw);
                    }
                }
            }
        }
        return out;
    }
}
