package io.c2f.models.quality;

import io.c2f.models.tensor.ImageBatch;

/**
 * Luma planes and the 4-neighbour Laplacian on them. Shape and detail live mostly in luma, so the
 * detail measures look at one plane instead of three correlated ones.
 */
final class Luma {
    // ITU-R BT.601 weights: what a person sees as brightness
    private static final double R = 0.299;
    private static final double G = 0.587;
    private static final double B = 0.114;

    private Luma() {
    }

    /** Image n as a height x width luma plane (RGB by BT.601; a single channel as it is). */
    static double[][] plane(ImageBatch images, int n) {
        int c = images.channels();
        if (c != 1 && c != 3) {
            throw new IllegalArgumentException("luma needs 1 or 3 channels, got " + c);
        }
        double[][] out = new double[images.height()][images.width()];
        for (int y = 0; y < images.height(); y++) {
            for (int x = 0; x < images.width(); x++) {
                out[y][x] = c == 1 ? images.get(n, y, x, 0)
                        : R * images.get(n, y, x, 0) + G * images.get(n, y, x, 1) + B * images.get(n, y, x, 2);
            }
        }
        return out;
    }

    /** 2x2 block means (the plane of the image a C2F plan samples at half resolution). */
    static double[][] halve(double[][] p) {
        int h = p.length / 2;
        int w = p[0].length / 2;
        double[][] out = new double[h][w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                out[y][x] = (p[2 * y][2 * x] + p[2 * y][2 * x + 1] + p[2 * y + 1][2 * x] + p[2 * y + 1][2 * x + 1]) / 4;
            }
        }
        return out;
    }

    /** 4-neighbour Laplacian at every pixel; a neighbour outside the image repeats the border pixel. */
    static double[][] laplacian(double[][] p) {
        int h = p.length;
        int w = p[0].length;
        double[][] out = new double[h][w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                out[y][x] = at(p, y - 1, x) + at(p, y + 1, x) + at(p, y, x - 1) + at(p, y, x + 1) - 4 * p[y][x];
            }
        }
        return out;
    }

    /** The pixel at (y, x) with coordinates clamped into the plane. */
    static double at(double[][] p, int y, int x) {
        return p[Math.max(0, Math.min(p.length - 1, y))][Math.max(0, Math.min(p[0].length - 1, x))];
    }
}
