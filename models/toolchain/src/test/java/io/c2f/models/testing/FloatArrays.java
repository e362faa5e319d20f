package io.c2f.models.testing;

import java.util.SplittableRandom;

/** Random inputs and error measures for comparing graphs with their plain-Java references. */
public final class FloatArrays {
    private FloatArrays() {
    }

    /** n standard-normal floats from a seeded generator (the same for the same seed). */
    public static float[] gaussian(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    /** The largest |a_i - b_i|; arrays of different lengths are an error, never a match. */
    public static float maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
        }
        float max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    /** The largest |a_i|. */
    public static float maxAbs(float[] a) {
        float max = 0;
        for (float v : a) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }
}
