package io.c2f.models.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PixelFrechetTest {
    static ImageBatch images(int n, long seed, float offset) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] d = new float[n * 16 * 16 * 3];
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) (0.3 * r.nextGaussian()) + offset;
        }
        return new ImageBatch(d, n, new Resolution(16, 16), 3);
    }

    @Test
    void zeroForTheSameSetAndGrowsWithAShift() {
        ImageBatch fit = images(400, 1, 0);
        PixelFrechet fd = PixelFrechet.fit(fit, 16);
        ImageBatch a = images(300, 2, 0);
        assertEquals(0, fd.distance(a, a), 1e-6);
        double same = fd.distance(a, images(300, 3, 0));
        double shifted = fd.distance(a, images(300, 3, 0.5f));
        System.out.printf("pixel Frechet: same distribution %.4f, shifted by 0.5 %.4f%n", same, shifted);
        assertTrue(shifted > 10 * same, same + " vs " + shifted);
    }
}
