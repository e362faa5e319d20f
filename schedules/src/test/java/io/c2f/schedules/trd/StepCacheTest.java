package io.c2f.schedules.trd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.c2f.models.diffusion.NoiseSchedule;
import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;
import io.c2f.models.synthetic.TwoScaleGaussianDenoiser;
import org.junit.jupiter.api.Test;

class StepCacheTest {
    @Test
    void answersTheSameInputObjectAndTimestepFromMemoryAndNothingElse() throws Exception {
        NoiseSchedule ddpm = NoiseSchedule.ddpmLinear();
        Resolution r = Resolution.square(8);
        StepCache cache = new StepCache(new TwoScaleGaussianDenoiser(ddpm, Resolution.square(4), r, 0.25, 0.01), 2);
        ImageBatch x = new ImageBatch(new float[2 * 64 * 3], 2, r, 3);
        ImageBatch eps = cache.predictNoise(x, 500);
        assertSame(eps, cache.predictNoise(x, 500));
        assertEquals(1, cache.hits());
        // equal content but another object, or another time step: the model is asked
        assertNotSame(eps, cache.predictNoise(new ImageBatch(x.data().clone(), 2, r, 3), 500));
        assertNotSame(eps, cache.predictNoise(x, 499));
        assertEquals(3, cache.misses());
        // capacity 2: the (x, 500) entry was evicted by the two newer ones
        cache.predictNoise(x, 500);
        assertEquals(4, cache.misses());
    }
}
