package io.c2f.models.quality;

import io.c2f.models.c2f.Resampling;
import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;

/**
 * How much fine detail a set of images holds, as two means over the set:
 * <ul>
 * <li>{@code laplacianVariance}: per image, the variance of the 4-neighbour Laplacian of the luma plane
 *     (borders repeat the edge pixel), averaged over images. Sharp edges, thin strokes and dots make it
 *     large; blur makes it small.</li>
 * <li>{@code highFrequencyEnergy}: the mean square of x - upNearest(avgPool2x2(x)) over all pixels and
 *     channels, i.e. exactly what a 2x2 block average removes: the detail a 16x16 stage cannot carry.</li>
 * </ul>
 * Both are in [-1, 1] pixel units squared and only mean something relative to a reference set: see
 * {@link #relativeTo(DetailMeasures)} and {@link DetailRatio}.
 */
public record DetailMeasures(Resolution resolution, int channels, int images, double laplacianVariance,
        double highFrequencyEnergy) {

    public static DetailMeasures of(ImageBatch images) {
        Resolution r = images.resolution();
        if (r.height() % 2 != 0 || r.width() % 2 != 0) {
            throw new IllegalArgumentException("high-frequency energy needs an even height and width, got " + r);
        }
        double lap = 0;
        for (int n = 0; n < images.batch(); n++) {
            lap += variance(Luma.laplacian(Luma.plane(images, n)));
        }
        ImageBatch smooth = Resampling.upNearest(
                Resampling.avgPool(images, new Resolution(r.height() / 2, r.width() / 2)), r);
        float[] x = images.data();
        float[] s = smooth.data();
        double hf = 0;
        for (int i = 0; i < x.length; i++) {
            double d = (double) x[i] - s[i];
            hf += d * d;
        }
        return new DetailMeasures(r, images.channels(), images.batch(), lap / images.batch(), hf / x.length);
    }

    /** This set's measures divided by the reference set's (1 = as much detail as the reference). */
    public DetailRatio relativeTo(DetailMeasures reference) {
        if (!resolution.equals(reference.resolution) || channels != reference.channels) {
            throw new IllegalArgumentException("cannot compare detail of " + resolution + "x" + channels
                    + " images with a reference of " + reference.resolution + "x" + reference.channels);
        }
        if (!(reference.laplacianVariance > 0) || !(reference.highFrequencyEnergy > 0)) {
            throw new IllegalArgumentException("the reference set has no detail to compare with (Laplacian variance "
                    + reference.laplacianVariance + ", high-frequency energy " + reference.highFrequencyEnergy + ")");
        }
        return new DetailRatio(laplacianVariance / reference.laplacianVariance,
                highFrequencyEnergy / reference.highFrequencyEnergy);
    }

    private static double variance(double[][] p) {
        double sum = 0;
        int n = 0;
        for (double[] row : p) {
            for (double v : row) {
                sum += v;
                n++;
            }
        }
        double mean = sum / n;
        double sq = 0;
        for (double[] row : p) {
            for (double v : row) {
                sq += (v - mean) * (v - mean);
            }
        }
        return sq / n;
    }
}
