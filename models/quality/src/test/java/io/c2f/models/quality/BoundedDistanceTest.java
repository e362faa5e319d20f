package io.c2f.models.quality;

import static io.c2f.models.quality.DetailMeasuresTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.models.tensor.ImageBatch;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BoundedDistanceTest {
    /** Variance of all values of the first set: the second is ignored, so each bound can be checked alone. */
    private static final SetDistance VARIANCE_OF_FIRST = (a, b) -> {
        double sum = 0;
        double sq = 0;
        for (float v : a.data()) {
            sum += v;
            sq += (double) v * v;
        }
        double mean = sum / a.data().length;
        return sq / a.data().length - mean * mean;
    };

    @Test
    void ceilingIsStandardNormalNoiseClippedToTheImageRange() {
        ImageBatch reference = PlantedImages.set(10, 1);
        double ceiling = BoundedDistance.ceiling(VARIANCE_OF_FIRST, reference, MultiScaleFrechetTest.seeds(50, 3));
        double maxAbs = BoundedDistance.ceiling((a, b) -> {
            double m = 0;
            for (float v : a.data()) {
                m = Math.max(m, Math.abs(v));
            }
            return m;
        }, reference, MultiScaleFrechetTest.seeds(50, 3));
        // E[min(z^2, 1)], z ~ N(0, 1): (P(|z| < 1) - 2 phi(1)) + P(|z| > 1) = 0.1988 + 0.3173 = 0.5161
        System.out.printf("clipped noise: variance %.4f (0.5161 expected), max |x| %.4f%n", ceiling, maxAbs);
        assertEquals(0.5161, ceiling, 0.01);
        assertEquals(1.0, maxAbs, 0.0);
    }

    @Test
    void floorDrawsDistinctRealImagesAndMeasureReportsAllThree() {
        ImageBatch real = PlantedImages.set(60, 100);
        ImageBatch sub = BoundedDistance.sample(real, 60, 7);
        Set<Float> firstValues = new HashSet<>();
        for (int i = 0; i < sub.batch(); i++) {
            firstValues.add(sub.get(i, 16, 16, 0) + 7 * sub.get(i, 5, 9, 1) + 13 * sub.get(i, 27, 3, 2));
        }
        assertEquals(60, firstValues.size(), "a floor set of the pool's size is the pool in another order");

        ImageBatch reference = PlantedImages.set(40, 1000);
        ImageBatch samples = PlantedImages.boxBlur(PlantedImages.set(40, 2000), 3);
        MultiScaleFrechet ms = MultiScaleFrechet.fit(PlantedImages.set(200, 5000), 16);
        BoundedDistance d = BoundedDistance.measure("multi-scale", ms, samples, reference, real, 11);
        System.out.println(d);
        assertEquals(ms.distance(samples, reference), d.value(), 0);
        assertEquals(BoundedDistance.floor(ms, real, reference, 40, 11), d.floor(), 0);
        assertEquals(BoundedDistance.ceiling(ms, reference, MultiScaleFrechetTest.seeds(40, 11)), d.ceiling(), 0);
        assertTrue(d.floor() < d.value() && d.value() < d.ceiling(), d.toString());
        assertEquals(d.value() / d.floor(), d.overFloor(), 1e-12);
        assertTrue(d.toString().startsWith("multi-scale " + String.format("%.3f", d.value())), d.toString());
    }

    @Test
    void floorSizesOutsideThePoolAreRejected() {
        ImageBatch real = PlantedImages.set(10, 1);
        assertMessage(() -> BoundedDistance.floor(VARIANCE_OF_FIRST, real, real, 11, 1), "11 images", "<= 10");
        assertMessage(() -> BoundedDistance.floor(VARIANCE_OF_FIRST, real, real, 1, 1), "1 images", "2 <= size");
    }
}
