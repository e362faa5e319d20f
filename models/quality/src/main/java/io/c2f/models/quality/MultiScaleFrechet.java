package io.c2f.models.quality;

import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;
import java.util.Arrays;

/**
 * "Fréchet distance on PCA-k of multi-scale shape and detail features" at the images' full resolution.
 * It is not FID (no Inception features) and its values are not comparable to FID.
 *
 * <p>Per image, six groups of features:
 * <ol>
 * <li>colour layout: 8x8 block means of each channel ({@link PixelFrechet}'s features);</li>
 * <li>luma gradient-orientation histograms at full resolution: a {@value #CELLS}x{@value #CELLS} grid of cells,
 *     in each the mean gradient magnitude (central differences) voted into {@value #ORIENTATIONS} unsigned
 *     orientation bins with linear interpolation between neighbouring bins (HOG-like, without block
 *     normalisation, so weaker edges give smaller values);</li>
 * <li>the same histograms on the 2x2-averaged luma (half resolution);</li>
 * <li>the RMS of the 4-neighbour luma Laplacian in each cell at full resolution (edge sharpness, any grid);</li>
 * <li>Laplacian-pyramid band energy at full resolution: in each cell the RMS of luma minus its 2x2 block mean
 *     (what a 16x16 stage cannot carry; exactly 0 for an image that is 2x2-blocky);</li>
 * <li>the next band: in each cell the RMS of the half-resolution luma minus its 2x2 block mean.</li>
 * </ol>
 * Each group is scaled to unit total variance on the fitting set, so that no group dominates the principal
 * axes by its units or its size; the scaled vectors are projected on the top k principal axes of the
 * fitting set (real images) and the Fréchet distance between Gaussians fitted to two projected sets is
 * returned. Thin strokes, dots and sharp edges move groups 2, 4 and 5; shapes and their orientation move 2
 * and 3; colour layout moves 1. Because the half-resolution groups are computed from the 2x2 block means, an
 * image and its 2x2-blocky version differ only in groups 2, 4 and 5.
 */
public final class MultiScaleFrechet implements SetDistance {
    public static final int CELLS = 4;
    public static final int ORIENTATIONS = 8;
    private static final String[] GROUPS = {"8x8 colour", "gradient orientations at full resolution",
            "gradient orientations at half resolution", "Laplacian RMS at full resolution", "band energy at full resolution",
            "band energy at half resolution"};

    private final Resolution resolution;
    private final int channels;
    private final double[] scale; // per raw dimension: 1 / sqrt(total variance of its group on the fitting set)
    private final PcaFrechet pca;

    private MultiScaleFrechet(Resolution resolution, int channels, double[] scale, PcaFrechet pca) {
        this.resolution = resolution;
        this.channels = channels;
        this.scale = scale;
        this.pca = pca;
    }

    /** Group scales and the top k principal axes, both from {@code real}. */
    public static MultiScaleFrechet fit(ImageBatch real, int k) {
        int[] bounds = groupBounds(real.channels());
        PcaFrechet.requireFittable(real.batch(), k, bounds[GROUPS.length], "multi-scale features");
        double[][] raw = rawFeatures(real);
        double[] variance = columnVariances(raw);
        double[] scale = new double[raw[0].length];
        for (int g = 0; g < GROUPS.length; g++) {
            double total = 0;
            for (int i = bounds[g]; i < bounds[g + 1]; i++) {
                total += variance[i];
            }
            if (!(total > 0)) {
                throw new IllegalArgumentException("the fitting set has no variation in its " + GROUPS[g] + " features");
            }
            Arrays.fill(scale, bounds[g], bounds[g + 1], 1 / Math.sqrt(total));
        }
        PcaFrechet pca = PcaFrechet.fit(scaled(raw, scale), k, "multi-scale features");
        return new MultiScaleFrechet(real.resolution(), real.channels(), scale, pca);
    }

    public Resolution resolution() {
        return resolution;
    }

    public int channels() {
        return channels;
    }

    public int components() {
        return pca.components();
    }

    /** The images' scaled features on the k principal axes. */
    public double[][] features(ImageBatch images) {
        if (!images.resolution().equals(resolution) || images.channels() != channels) {
            throw new IllegalArgumentException("fitted on " + resolution + "x" + channels + " images, got "
                    + images.resolution() + "x" + images.channels());
        }
        return pca.project(scaled(rawFeatures(images), scale));
    }

    @Override
    public double distance(ImageBatch a, ImageBatch b) {
        return PcaFrechet.frechet(features(a), features(b));
    }

    /** Unscaled feature vectors, groups in the order of the class comment. */
    static double[][] rawFeatures(ImageBatch images) {
        Resolution r = images.resolution();
        if (r.height() % (2 * CELLS) != 0 || r.width() % (2 * CELLS) != 0) {
            throw new IllegalArgumentException("multi-scale features need a height and width divisible by "
                    + 2 * CELLS + " (" + CELLS + "x" + CELLS + " cells at half resolution), got " + r);
        }
        double[][] colour = PixelFrechet.pooled(images);
        int[] bounds = groupBounds(images.channels());
        double[][] out = new double[images.batch()][];
        for (int n = 0; n < images.batch(); n++) {
            double[][] full = Luma.plane(images, n);
            double[][] half = Luma.halve(full);
            double[][] quarter = Luma.halve(half);
            double[] row = Arrays.copyOf(colour[n], bounds[GROUPS.length]);
            orientations(full, row, bounds[1]);
            orientations(half, row, bounds[2]);
            cellRms(Luma.laplacian(full), row, bounds[3]);
            cellRms(band(full, half), row, bounds[4]);
            cellRms(band(half, quarter), row, bounds[5]);
            out[n] = row;
        }
        return out;
    }

    /** Start of each group in the raw vector, and its length at the end. */
    static int[] groupBounds(int channels) {
        int colour = PixelFrechet.POOLED * PixelFrechet.POOLED * channels;
        int hog = CELLS * CELLS * ORIENTATIONS;
        int cells = CELLS * CELLS;
        int start = colour + 2 * hog;
        return new int[] {0, colour, colour + hog, start, start + cells, start + 2 * cells, start + 3 * cells};
    }

    private static void orientations(double[][] p, double[] out, int offset) {
        int h = p.length;
        int w = p[0].length;
        double perCell = (double) (h / CELLS) * (w / CELLS);
        double binWidth = Math.PI / ORIENTATIONS;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double gx = (Luma.at(p, y, x + 1) - Luma.at(p, y, x - 1)) / 2;
                double gy = (Luma.at(p, y + 1, x) - Luma.at(p, y - 1, x)) / 2;
                double magnitude = Math.hypot(gx, gy);
                if (magnitude == 0) {
                    continue;
                }
                double theta = Math.atan2(gy, gx);
                if (theta < 0) {
                    theta += Math.PI; // unsigned: an edge and its reverse are the same shape
                }
                double pos = theta / binWidth - 0.5; // bin centres at (b + 0.5) * binWidth
                int b0 = (int) Math.floor(pos);
                double frac = pos - b0;
                int cell = offset + ((y * CELLS / h) * CELLS + x * CELLS / w) * ORIENTATIONS;
                out[cell + Math.floorMod(b0, ORIENTATIONS)] += (1 - frac) * magnitude / perCell;
                out[cell + Math.floorMod(b0 + 1, ORIENTATIONS)] += frac * magnitude / perCell;
            }
        }
    }

    /** {@code fine} minus {@code coarse} (its 2x2 block means) upsampled by repetition: one pyramid band. */
    private static double[][] band(double[][] fine, double[][] coarse) {
        double[][] out = new double[fine.length][fine[0].length];
        for (int y = 0; y < fine.length; y++) {
            for (int x = 0; x < fine[0].length; x++) {
                out[y][x] = fine[y][x] - coarse[y / 2][x / 2];
            }
        }
        return out;
    }

    /** The RMS of {@code p} in each of the CELLS x CELLS cells. */
    private static void cellRms(double[][] p, double[] out, int offset) {
        int h = p.length;
        int w = p[0].length;
        double perCell = (double) (h / CELLS) * (w / CELLS);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                out[offset + (y * CELLS / h) * CELLS + x * CELLS / w] += p[y][x] * p[y][x] / perCell;
            }
        }
        for (int i = offset; i < offset + CELLS * CELLS; i++) {
            out[i] = Math.sqrt(out[i]);
        }
    }

    private static double[] columnVariances(double[][] f) {
        double[] mu = PcaFrechet.mean(f);
        double[] var = new double[mu.length];
        for (double[] row : f) {
            for (int i = 0; i < mu.length; i++) {
                var[i] += (row[i] - mu[i]) * (row[i] - mu[i]) / (f.length - 1);
            }
        }
        return var;
    }

    private static double[][] scaled(double[][] raw, double[] scale) {
        double[][] out = new double[raw.length][scale.length];
        for (int n = 0; n < raw.length; n++) {
            for (int i = 0; i < scale.length; i++) {
                out[n][i] = raw[n][i] * scale[i];
            }
        }
        return out;
    }
}
