package io.c2f.models.quality;

import io.c2f.models.noise.GaussianNoise;
import io.c2f.models.tensor.ImageBatch;
import java.util.SplittableRandom;

/**
 * A set distance printed between the two values that give it meaning at this sample size:
 * {@code floor}, the distance from a real set of the same size, disjoint from the reference, to the
 * reference (what sampling noise alone costs: no sampler can be expected below it), and {@code ceiling},
 * the distance of N(0, 1) noise images clipped to [-1, 1] to the reference (a sampler that learnt nothing).
 */
public record BoundedDistance(String name, double value, double floor, double ceiling) {

    /**
     * {@code samples} vs {@code reference}, with the floor from {@code samples.batch()} images of
     * {@code disjointReal} (none of which may be in the reference) and the ceiling from as many noise images.
     */
    public static BoundedDistance measure(String name, SetDistance d, ImageBatch samples, ImageBatch reference,
            ImageBatch disjointReal, long seed) {
        int n = samples.batch();
        long[] noiseSeeds = new long[n];
        for (int i = 0; i < n; i++) {
            noiseSeeds[i] = seed + i;
        }
        return new BoundedDistance(name, d.distance(samples, reference), floor(d, disjointReal, reference, n, seed),
                ceiling(d, reference, noiseSeeds));
    }

    /** Distance to the reference of {@code size} images drawn without replacement from {@code disjointReal}. */
    public static double floor(SetDistance d, ImageBatch disjointReal, ImageBatch reference, int size, long seed) {
        if (size < 2 || size > disjointReal.batch()) {
            throw new IllegalArgumentException("a floor of " + size + " images needs 2 <= size <= "
                    + disjointReal.batch() + " (the real images it is drawn from)");
        }
        return d.distance(sample(disjointReal, size, seed), reference);
    }

    /** Distance to the reference of N(0, 1) images (one per seed, {@link GaussianNoise} stream 0) clipped to [-1, 1]. */
    public static double ceiling(SetDistance d, ImageBatch reference, long[] seeds) {
        ImageBatch noise = GaussianNoise.normal(seeds, GaussianNoise.STREAM_INITIAL, reference.resolution(),
                reference.channels());
        float[] x = noise.data();
        for (int i = 0; i < x.length; i++) {
            x[i] = Math.max(-1f, Math.min(1f, x[i]));
        }
        return d.distance(noise, reference);
    }

    /** The value in units of the floor: about 1 for a sampler as close to the reference as real images are. */
    public double overFloor() {
        return value / floor;
    }

    @Override
    public String toString() {
        return String.format("%s %.3f (%.2fx floor) | floor (real vs real) %.3f | ceiling (clipped noise vs real) %.3f",
                name, value, overFloor(), floor, ceiling);
    }

    /** {@code n} distinct images of {@code set} in a seeded random order: the images {@link #floor} measures. */
    public static ImageBatch sample(ImageBatch set, int n, long seed) {
        if (n < 1 || n > set.batch()) {
            throw new IllegalArgumentException("cannot draw " + n + " distinct images from " + set.batch());
        }
        int[] idx = new SplittableRandom(seed).ints(0, set.batch()).distinct().limit(n).toArray();
        float[] out = new float[idx.length * set.imageSize()];
        for (int i = 0; i < idx.length; i++) {
            System.arraycopy(set.data(), idx[i] * set.imageSize(), out, i * set.imageSize(), set.imageSize());
        }
        return new ImageBatch(out, idx.length, set.resolution(), set.channels());
    }
}
