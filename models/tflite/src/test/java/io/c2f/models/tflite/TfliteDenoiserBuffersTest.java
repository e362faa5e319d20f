package io.c2f.models.tflite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import io.c2f.models.diffusion.Denoiser;
import io.c2f.models.engine.DenoiserSource;
import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * predictNoise reuses its per-step buffers (issue 18): results stay the caller's, a step never
 * sees the previous step's input or batch size, and a reused denoiser answers as a fresh one does.
 */
class TfliteDenoiserBuffersTest {
    private static final String ZOO_MODEL = "../zoo/emoji32-c2f/model.tflite";

    private static ImageBatch noise(int batch, Resolution r, int channels, long seed) {
        float[] x = new float[batch * r.height() * r.width() * channels];
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return new ImageBatch(x, batch, r, channels);
    }

    @Test
    void reusedBuffersGiveTheSameNoiseAsAFreshDenoiserAcrossBatchSizesAndResolutions() throws Exception {
        DenoiserSource source = DenoiserSource.forModel(ZOO_MODEL, 1);
        try (Denoiser reused = source.open()) {
            int c = reused.channels();
            Resolution high = Resolution.square(32);
            Resolution low = Resolution.square(16);
            ImageBatch[] inputs = {noise(1, high, c, 1), noise(1, high, c, 2), noise(3, high, c, 3),
                    noise(2, low, c, 4), noise(1, high, c, 5)};
            int[] steps = {999, 500, 250, 700, 10};
            float[][] got = new float[inputs.length][];
            for (int i = 0; i < inputs.length; i++) {
                got[i] = reused.predictNoise(inputs[i], steps[i]).data();
            }
            float[] firstAgain = reused.predictNoise(inputs[0], steps[0]).data();
            assertNotSame(got[0], firstAgain, "each step's result must be a fresh array the caller keeps");
            assertArrayEquals(got[0], firstAgain, "the same input after other batch sizes gives the same noise");
            assertFalse(Arrays.equals(got[0], got[1]), "different inputs, different noise");
            for (int i = 0; i < inputs.length; i++) {
                try (Denoiser fresh = source.open()) {
                    assertArrayEquals(fresh.predictNoise(inputs[i], steps[i]).data(), got[i], 1e-6f,
                            "step " + i + " (" + inputs[i] + ")");
                }
            }
        }
    }
}
