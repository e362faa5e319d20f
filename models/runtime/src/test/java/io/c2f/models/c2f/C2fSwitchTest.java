package io.c2f.models.c2f;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.models.noise.GaussianNoise;
import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;
import org.junit.jupiter.api.Test;

class C2fSwitchTest {

    static long[] seeds(int n) {
        long[] s = new long[n];
        for (int i = 0; i < n; i++) {
            s[i] = 100 + i;
        }
        return s;
    }

    /** Mean and variance of all values. */
    static double[] moments(float[] v) {
        double sum = 0;
        double sq = 0;
        for (float f : v) {
            sum += f;
            sq += (double) f * f;
        }
        double mean = sum / v.length;
        return new double[] {mean, sq / v.length - mean * mean};
    }

    /**
     * Correlation of pixel (y, x) with pixel (y + dy, x + dx) over all images and channels, for
     * pixels whose position inside the fy x fx block is (by, bx).
     */
    static double correlation(ImageBatch b, int fy, int fx, int by, int bx, int dy, int dx) {
        double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
        long n = 0;
        for (int i = 0; i < b.batch(); i++) {
            for (int y = by; y + dy < b.height(); y += fy) {
                for (int x = bx; x + dx < b.width(); x += fx) {
                    for (int c = 0; c < b.channels(); c++) {
                        double p = b.get(i, y, x, c);
                        double q = b.get(i, y + dy, x + dx, c);
                        sa += p;
                        sb += q;
                        saa += p * p;
                        sbb += q * q;
                        sab += p * q;
                        n++;
                    }
                }
            }
        }
        double cov = sab / n - sa / n * sb / n;
        return cov / Math.sqrt((saa / n - sa / n * sa / n) * (sbb / n - sb / n * sb / n));
    }

    @Test
    void liftedNoiseIsWhiteWithUnitVariance() {
        Resolution high = new Resolution(48, 48);
        for (Resolution low : new Resolution[] {Resolution.square(24), Resolution.square(16), new Resolution(24, 12)}) {
            int fy = high.height() / low.height();
            int fx = high.width() / low.width();
            long[] seeds = seeds(48);
            ImageBatch nLow = GaussianNoise.normal(seeds, 7, low, 3);
            ImageBatch z = GaussianNoise.normal(seeds, GaussianNoise.STREAM_SWITCH, high, 3);
            ImageBatch nHigh = C2fSwitch.whiteNoise(nLow, z);
            ImageBatch naive = Resampling.upNearest(nLow, high);

            double[] m = moments(nHigh.data());
            // Pairs inside one block (right, below, diagonal) and across the block edge.
            double inRight = correlation(nHigh, fy, fx, 0, 0, 0, 1);
            double inBelow = correlation(nHigh, fy, fx, 0, 0, 1, 0);
            double inDiag = correlation(nHigh, fy, fx, 0, 0, 1, 1);
            double across = correlation(nHigh, fy, fx, 0, fx - 1, 0, 1);
            double naiveRight = correlation(naive, fy, fx, 0, 0, 0, 1);
            double scale = Resampling.noiseScale(low, high);
            float[] pooled = Resampling.avgPoolScaled(nHigh, low, scale).data();
            double maxErr = 0;
            for (int i = 0; i < pooled.length; i++) {
                maxErr = Math.max(maxErr, Math.abs(pooled[i] - nLow.data()[i]));
            }
            System.out.printf("lifted noise %s -> %s: mean %.4f var %.4f; neighbour correlation in block: right %.4f"
                            + " below %.4f diagonal %.4f, across blocks %.4f (nearest upsampling alone: %.4f);"
                            + " max |f avgpool(n_h) - n_l| %.2e%n",
                    low, high, m[0], m[1], inRight, inBelow, inDiag, across, naiveRight, maxErr);
            // 331776 values: sampling error of the variance ~0.0025, of a correlation ~0.005 (fewer pairs).
            assertEquals(0.0, m[0], 0.01);
            assertEquals(1.0, m[1], 0.015);
            for (double corr : new double[] {inRight, inBelow, inDiag, across}) {
                assertTrue(Math.abs(corr) < 0.03, "correlation " + corr);
            }
            assertTrue(naiveRight > 0.95, "nearest upsampling copies each value into its block");
            assertTrue(maxErr < 1e-5, "block means of n_h are n_l / f: " + maxErr);
        }
    }

    /**
     * Noise continuity: lifting the low-resolution start noise f avgpool(eps0) with the within-block
     * part of eps0 itself gives back eps0, so a continuous switch hands the high phase the noise the
     * full-resolution reference started from, wherever the low phase has not changed it.
     */
    @Test
    void continuousLiftOfTheInitialLowNoiseIsTheInitialNoise() {
        Resolution high = Resolution.square(32);
        Resolution low = Resolution.square(16);
        ImageBatch eps0 = GaussianNoise.normal(seeds(8), GaussianNoise.STREAM_INITIAL, high, 3);
        ImageBatch lowStart = Resampling.avgPoolScaled(eps0, low, Resampling.noiseScale(low, high));
        ImageBatch lifted = C2fSwitch.whiteNoise(lowStart, eps0);
        double max = 0;
        for (int i = 0; i < lifted.data().length; i++) {
            max = Math.max(max, Math.abs(lifted.data()[i] - eps0.data()[i]));
        }
        assertTrue(max < 1e-5, "continuous lift differs from the initial noise by " + max);
        ImageBatch fresh = C2fSwitch.whiteNoise(lowStart, GaussianNoise.normal(seeds(8), GaussianNoise.STREAM_SWITCH,
                high, 3));
        double[] m = moments(fresh.data());
        assertEquals(1.0, m[1], 0.03);
        double diff = 0;
        for (int i = 0; i < fresh.data().length; i++) {
            diff = Math.max(diff, Math.abs(fresh.data()[i] - eps0.data()[i]));
        }
        assertTrue(diff > 1, "fresh noise is other noise");
    }

    @Test
    void initialLowNoiseKeepsUnitVariance() {
        Resolution high = Resolution.square(32);
        ImageBatch full = GaussianNoise.normal(seeds(64), 0, high, 3);
        ImageBatch low = Resampling.avgPoolScaled(full, Resolution.square(8), Resampling.noiseScale(
                Resolution.square(8), high));
        double[] m = moments(low.data());
        System.out.printf("initial low-resolution noise 4 avgpool_4(N(0,1)) at 8x8: mean %.4f var %.4f%n", m[0], m[1]);
        assertEquals(1.0, m[1], 0.03);
        assertEquals(4.0, Resampling.noiseScale(Resolution.square(8), high), 0.0);
    }

    @Test
    void resamplingInvertsAndInterpolates() {
        Resolution low = new Resolution(3, 4);
        float[] v = new float[low.pixels() * 2];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.sin(i * 0.7);
        }
        ImageBatch x = new ImageBatch(v, 1, low, 2);
        for (Resolution high : new Resolution[] {new Resolution(6, 8), new Resolution(9, 12), new Resolution(3, 12)}) {
            assertArrayEquals(v, Resampling.avgPool(Resampling.upNearest(x, high), low).data());
        }
        // Bilinear with half-pixel centres reproduces a linear ramp away from the borders.
        Resolution r = Resolution.square(4);
        float[] ramp = new float[r.pixels()];
        for (int y = 0; y < 4; y++) {
            for (int xx = 0; xx < 4; xx++) {
                ramp[y * 4 + xx] = y + 2 * xx;
            }
        }
        ImageBatch up = Resampling.upBilinear(new ImageBatch(ramp, 1, r, 1), Resolution.square(12));
        for (int y = 1; y < 11; y++) {
            for (int xx = 1; xx < 11; xx++) {
                double sy = (y + 0.5) / 3 - 0.5;
                double sx = (xx + 0.5) / 3 - 0.5;
                assertEquals(sy + 2 * sx, up.get(0, y, xx, 0), 1e-5, "at " + y + "," + xx);
            }
        }
        assertEquals(0f, up.get(0, 0, 0, 0));
        assertEquals(3f + 6f, up.get(0, 11, 11, 0));
    }
    /**
     * The switch's one-pass lift and mix gives, bit for bit, the formula written out with whole
     * arrays (up_nearest of n_l and of avgpool(z), then the mix), for non-square factors and batches.
     */
    @Test
    void onePassSwitchIsTheWrittenOutFormulaBitForBit() {
        Resolution low = new Resolution(3, 4);
        for (Resolution high : new Resolution[] {new Resolution(6, 8), new Resolution(9, 16), new Resolution(3, 4)}) {
            ImageBatch nLow = GaussianNoise.normal(seeds(3), 7, low, 3);
            ImageBatch z = GaussianNoise.normal(seeds(3), GaussianNoise.STREAM_SWITCH, high, 3);
            ImageBatch x0Up = GaussianNoise.normal(seeds(3), 9, high, 3);
            double abar = 0.37;
            double f = Resampling.noiseScale(low, high);
            float[] nUp = Resampling.upNearest(nLow, high).data();
            float[] zMean = Resampling.upNearest(Resampling.avgPool(z, low), high).data();
            float[] expectedNoise = new float[nUp.length];
            float[] expected = new float[nUp.length];
            for (int i = 0; i < nUp.length; i++) {
                expectedNoise[i] = (float) (nUp[i] / f + ((double) z.data()[i] - zMean[i]));
                expected[i] = (float) (Math.sqrt(abar) * x0Up.data()[i] + Math.sqrt(1.0 - abar) * expectedNoise[i]);
            }
            assertArrayEquals(expectedNoise, C2fSwitch.whiteNoise(nLow, z).data(), "lifted noise at " + high);
            assertArrayEquals(expected, C2fSwitch.mixWhiteNoise(x0Up, nLow, z, abar).data(), "switched state at " + high);
        }
    }
}
