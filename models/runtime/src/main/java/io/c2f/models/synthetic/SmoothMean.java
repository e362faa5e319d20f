package io.c2f.models.synthetic;

import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;

/** The smooth mean picture of the synthetic data sets: a fixed, deterministic image the denoisers centre their data on. */
public final class SmoothMean {
    private SmoothMean() {
    }

    public static double mu(Resolution r, int y, int x, int c) {
        double u = (y + 0.5) / r.height();
        double v = (x + 0.5) / r.width();
        return 0.4 * StrictMath.sin(2 * Math.PI * u) * StrictMath.cos(2 * Math.PI * v) + 0.2 * (c - 1);
    }

    public static ImageBatch image(Resolution r, int channels) {
        float[] mu = new float[r.pixels() * channels];
        int i = 0;
        for (int y = 0; y < r.height(); y++) {
            for (int x = 0; x < r.width(); x++) {
                for (int c = 0; c < channels; c++, i++) {
                    mu[i] = (float) mu(r, y, x, c);
                }
            }
        }
        return new ImageBatch(mu, 1, r, channels);
    }
}
