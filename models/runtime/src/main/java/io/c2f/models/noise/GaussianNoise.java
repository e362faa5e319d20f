package io.c2f.models.noise;

import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;

/**
 * The specified Gaussian noise generator of c2f-fleet: the same (seed, stream) gives bit-identical
 * float32 values on every conforming JVM, so the controller and every device start from the same
 * noise and a device's image can be checked against the controller's reference.
 *
 * <h2>Algorithm (normative; a third-party implementation must follow it exactly)</h2>
 * All integer arithmetic is on unsigned 64-bit words modulo 2<sup>64</sup>; {@code >>>} is a
 * logical right shift; {@code ^} is exclusive or.
 * <pre>
 * GAMMA = 0x9E3779B97F4A7C15
 * mix64(z):  z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9
 *            z = (z ^ (z >>> 27)) * 0x94D049BB133111EB
 *            return z ^ (z >>> 31)
 *
 * state = mix64(mix64(seed) + GAMMA * stream)          // seed, stream: 64-bit two's complement
 * next():    state = state + GAMMA; return mix64(state) // SplitMix64 (Steele, Lea, Flood 2014)
 * uniform(): return (next() >>> 11) * 2^-53            // a double in [0, 1), exact
 * </pre>
 * {@code mix64} is the SplitMix64 finaliser ("variant 13" of Stafford's mixers), and {@code next}
 * is SplitMix64 itself: for seed 0 and stream 0 the state starts at 0, so the first output is the
 * well-known first SplitMix64(0) output {@code 0xE220A8397B1DCDAF}.
 *
 * <p>Normals come in pairs by the Box-Muller transform, all in IEEE 754 binary64 with
 * {@link StrictMath} (fdlibm) so no platform intrinsic changes a bit:
 * <pre>
 * for k = 0, 1, 2, ...:
 *   u1 = uniform(); u2 = uniform()                      // u1 is drawn first
 *   r = StrictMath.sqrt(-2.0 * StrictMath.log(1.0 - u1)) // 1 - u1 in (0, 1]: log is finite
 *   theta = TWO_PI * u2                                 // TWO_PI = 2.0 * Math.PI = 0x1.921fb54442d18p2
 *   out[2k]   = (float) (r * StrictMath.cos(theta))     // round to nearest float32
 *   out[2k+1] = (float) (r * StrictMath.sin(theta))
 * </pre>
 * An array of odd length n drops the sine half of the last pair, so the first values of a stream do
 * not depend on how many are drawn.
 *
 * <h2>Images and streams</h2>
 * Image i of a batch is filled with {@code seeds[i]}, in NHWC order: value number k of the stream
 * goes to flat index {@code (y * width + x) * channels + c == k}. Streams separate the noise a
 * sampling run needs, so one does not shift another: {@link #STREAM_INITIAL} (0) is the initial noise
 * at full resolution, {@link #STREAM_SWITCH} (1) the fresh full-resolution noise drawn at the
 * coarse-to-fine switch, and {@link #stepStream(int) 2 + stepIndex} the per-step noise of a DDIM
 * step with eta > 0.
 */
public final class GaussianNoise {

    /** Initial noise, at full resolution. */
    public static final long STREAM_INITIAL = 0;
    /** Fresh full-resolution noise drawn at the coarse-to-fine switch. */
    public static final long STREAM_SWITCH = 1;

    static final long GAMMA = 0x9E3779B97F4A7C15L;
    private static final long MIX_1 = 0xBF58476D1CE4E5B9L;
    private static final long MIX_2 = 0x94D049BB133111EBL;
    private static final double TWO_POW_MINUS_53 = 0x1.0p-53;
    private static final double TWO_PI = 2.0 * Math.PI;

    private GaussianNoise() {
    }

    /** Stream of the per-step noise of step {@code stepIndex} (DDIM with eta > 0). */
    public static long stepStream(int stepIndex) {
        if (stepIndex < 0) {
            throw new IllegalArgumentException("stepIndex must be >= 0, got " + stepIndex);
        }
        return 2L + stepIndex;
    }

    /** Fills {@code out} with the first {@code out.length} normals of (seed, stream). */
    public static void fill(long seed, long stream, float[] out) {
        fill(seed, stream, out, 0, out.length);
    }

    /** Writes the first {@code length} normals of (seed, stream) to out[offset, offset + length). */
    public static void fill(long seed, long stream, float[] out, int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > out.length) {
            throw new IndexOutOfBoundsException("range [" + offset + ", " + (offset + length)
                    + ") outside an array of " + out.length);
        }
        long state = initialState(seed, stream);
        int end = offset + length;
        for (int i = offset; i < end; i += 2) {
            state += GAMMA;
            double u1 = (mix64(state) >>> 11) * TWO_POW_MINUS_53;
            state += GAMMA;
            double u2 = (mix64(state) >>> 11) * TWO_POW_MINUS_53;
            double r = StrictMath.sqrt(-2.0 * StrictMath.log(1.0 - u1));
            double theta = TWO_PI * u2;
            out[i] = (float) (r * StrictMath.cos(theta));
            if (i + 1 < end) {
                out[i + 1] = (float) (r * StrictMath.sin(theta));
            }
        }
    }

    /** A batch of N(0, 1) images; image i uses seeds[i] (NHWC order within the image). */
    public static ImageBatch normal(long[] seeds, long stream, Resolution resolution, int channels) {
        if (seeds.length == 0) {
            throw new IllegalArgumentException("seeds must not be empty");
        }
        ImageBatch batch = ImageBatch.zeros(seeds.length, resolution, channels);
        int n = batch.imageSize();
        for (int i = 0; i < seeds.length; i++) {
            fill(seeds[i], stream, batch.data(), i * n, n);
        }
        return batch;
    }

    /** The first {@code count} raw SplitMix64 outputs of (seed, stream); for conformance checks. */
    public static long[] rawBits(long seed, long stream, int count) {
        long state = initialState(seed, stream);
        long[] out = new long[count];
        for (int i = 0; i < count; i++) {
            state += GAMMA;
            out[i] = mix64(state);
        }
        return out;
    }

    static long initialState(long seed, long stream) {
        return mix64(mix64(seed) + GAMMA * stream);
    }

    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * MIX_1;
        z = (z ^ (z >>> 27)) * MIX_2;
        return z ^ (z >>> 31);
    }
}
