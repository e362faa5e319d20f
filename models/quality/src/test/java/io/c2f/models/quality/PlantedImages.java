package io.c2f.models.quality;

import io.c2f.models.c2f.Resampling;
import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;
import java.util.SplittableRandom;

/**
 * Synthetic structured test images with planted fine detail, in the manner of emoji: a flat background,
 * a few filled discs and boxes (colour layout), and on top 1-pixel dots ("eyes") and thin strokes
 * ("hands", "glyphs") at random sub-block positions. Image i of a set is drawn from seed + i.
 */
final class PlantedImages {
    static final Resolution SIZE = new Resolution(32, 32);

    private PlantedImages() {
    }

    static ImageBatch set(int n, long seed) {
        int s = SIZE.height();
        float[] d = new float[n * s * s * 3];
        for (int i = 0; i < n; i++) {
            draw(new SplittableRandom(seed + i), d, i * s * s * 3, s);
        }
        return new ImageBatch(d, n, SIZE, 3);
    }

    private static void draw(SplittableRandom r, float[] d, int base, int s) {
        fill(d, base, s, colour(r, 0.4, 1.0), (y, x) -> true);
        for (int k = 0, shapes = 1 + r.nextInt(3); k < shapes; k++) {
            double cy = r.nextDouble(6, s - 6);
            double cx = r.nextDouble(6, s - 6);
            double rad = r.nextDouble(4, 11);
            boolean disc = r.nextBoolean();
            fill(d, base, s, colour(r, -0.8, 0.8), (y, x) -> disc
                    ? (y - cy) * (y - cy) + (x - cx) * (x - cx) <= rad * rad
                    : Math.abs(y - cy) <= rad * 0.8 && Math.abs(x - cx) <= rad * 0.8);
        }
        float[] ink = colour(r, -1.0, -0.6);
        for (int k = 0, dots = 2 + r.nextInt(3); k < dots; k++) {
            int y = r.nextInt(2, s - 2);
            int x = r.nextInt(2, s - 2);
            fill(d, base, s, ink, (yy, xx) -> yy == y && xx == x);
        }
        for (int k = 0, strokes = 1 + r.nextInt(3); k < strokes; k++) {
            double y0 = r.nextDouble(3, s - 3);
            double x0 = r.nextDouble(3, s - 3);
            double angle = r.nextDouble(Math.PI);
            double len = r.nextDouble(5, 12);
            float[] c = r.nextBoolean() ? ink : colour(r, 0.7, 1.0);
            for (double t = 0; t <= len; t += 0.25) {
                int y = (int) Math.round(y0 + t * Math.sin(angle));
                int x = (int) Math.round(x0 + t * Math.cos(angle));
                fill(d, base, s, c, (yy, xx) -> yy == y && xx == x);
            }
        }
    }

    private static float[] colour(SplittableRandom r, double lo, double hi) {
        return new float[] {(float) r.nextDouble(lo, hi), (float) r.nextDouble(lo, hi), (float) r.nextDouble(lo, hi)};
    }

    private interface Mask {
        boolean in(int y, int x);
    }

    private static void fill(float[] d, int base, int s, float[] c, Mask m) {
        for (int y = 0; y < s; y++) {
            for (int x = 0; x < s; x++) {
                if (m.in(y, x)) {
                    System.arraycopy(c, 0, d, base + (y * s + x) * 3, 3);
                }
            }
        }
    }

    /** What a 16x16 stage keeps: each 2x2 block replaced by its mean. */
    static ImageBatch blockBlur(ImageBatch b) {
        Resolution r = b.resolution();
        return Resampling.upNearest(Resampling.avgPool(b, new Resolution(r.height() / 2, r.width() / 2)), r);
    }

    /** size x size box blur (window offsets -(size-1)/2 .. size/2), borders repeating the edge pixel. */
    static ImageBatch boxBlur(ImageBatch b, int size) {
        int lo = -(size - 1) / 2;
        int hi = size / 2;
        int h = b.height();
        int w = b.width();
        int c = b.channels();
        float[] out = new float[b.data().length];
        for (int n = 0; n < b.batch(); n++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    for (int ch = 0; ch < c; ch++) {
                        double sum = 0;
                        for (int dy = lo; dy <= hi; dy++) {
                            for (int dx = lo; dx <= hi; dx++) {
                                sum += b.get(n, Math.max(0, Math.min(h - 1, y + dy)), Math.max(0, Math.min(w - 1, x + dx)), ch);
                            }
                        }
                        out[((n * h + y) * w + x) * c + ch] = (float) (sum / (size * size));
                    }
                }
            }
        }
        return new ImageBatch(out, b.batch(), b.resolution(), c);
    }
}
