package io.c2f.models.quality;

import static io.c2f.models.quality.DetailMeasuresTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class MultiScaleFrechetTest {

    @Test
    void plantedDetailLostToBlurIsSeenAboveTheFloorWhilePixelFrechetBarelyMoves() {
        contrast("planted images", PlantedImages.set(1000, 0), PlantedImages.set(300, 100_000),
                PlantedImages.set(300, 200_000));
    }

    @Test
    void emojiDetailLostToBlurIsSeenAboveTheFloorWhilePixelFrechetBarelyMoves() {
        // three disjoint parts of the training emoji: 149 held-out images would make a floor 2-3x higher
        contrast("emoji", RealEmoji.train(0, 449), RealEmoji.train(449, 849), RealEmoji.train(849, 1249));
    }

    /** {@code a} and {@code b} are disjoint real sets of one size; the axes come from {@code fit}. */
    private static void contrast(String what, ImageBatch fit, ImageBatch a, ImageBatch b) {
        MultiScaleFrechet ms = MultiScaleFrechet.fit(fit, 64);
        PixelFrechet px = PixelFrechet.fit(fit, 64);
        double floor = ms.distance(a, b);
        double block = ms.distance(PlantedImages.blockBlur(a), b);
        double box = ms.distance(PlantedImages.boxBlur(a, 3), b);
        double pxFloor = px.distance(a, b);
        double pxBlock = px.distance(PlantedImages.blockBlur(a), b);
        double pxBox = px.distance(PlantedImages.boxBlur(a, 3), b);
        double ceiling = BoundedDistance.ceiling(ms, b, seeds(a.batch(), 1));
        double noise = ms.distance(noise(a.batch(), b.resolution()), b);
        String report = String.format("%s, %d vs %d images: multi-scale Frechet floor %.3f, 2x2 block blur %.3f (x%.1f),"
                + " 3x3 box blur %.3f (x%.1f), ceiling %.3f, other noise %.3f | 8x8 pixel Frechet floor %.3f,"
                + " 2x2 block blur %.3f (x%.2f), 3x3 box blur %.3f (x%.2f)", what, a.batch(), b.batch(), floor, block,
                block / floor, box, box / floor, ceiling, noise, pxFloor, pxBlock, pxBlock / pxFloor, pxBox, pxBox / pxFloor);
        System.out.println(report);
        assertTrue(block > 3 * floor && box > 3 * floor, "blur must be clearly above the floor: " + report);
        assertTrue(Math.abs(pxBlock / pxFloor - 1) < 0.1 && Math.abs(pxBox / pxFloor - 1) < 0.2,
                "8x8 pixel Frechet should barely move: " + report);
        assertTrue(Math.abs(noise / ceiling - 1) < 0.15, "noise near the ceiling: " + report);
        assertTrue(ceiling > 2 * Math.max(block, box), "ceiling far above blur: " + report);
    }

    @Test
    void aBlockyCopyDiffersOnlyInTheFullResolutionDetailGroups() {
        ImageBatch images = PlantedImages.set(50, 42);
        double[][] sharp = MultiScaleFrechet.rawFeatures(images);
        double[][] blocky = MultiScaleFrechet.rawFeatures(PlantedImages.blockBlur(images));
        int[] bounds = MultiScaleFrechet.groupBounds(3);
        double[] change = new double[bounds.length - 1];
        for (int g = 0; g < change.length; g++) {
            double diff = 0;
            double size = 0;
            for (int n = 0; n < sharp.length; n++) {
                for (int i = bounds[g]; i < bounds[g + 1]; i++) {
                    diff += Math.abs(sharp[n][i] - blocky[n][i]);
                    size += Math.abs(sharp[n][i]);
                }
            }
            change[g] = diff / size;
        }
        String report = "relative change per group (colour, gradients 32, gradients 16, Laplacian 32, band 32, band 16): "
                + java.util.Arrays.toString(change);
        System.out.println(report);
        for (int g : new int[] {0, 2, 5}) {
            assertTrue(change[g] < 1e-5, "group " + g + " is computed from 2x2 means: " + report);
        }
        for (int g : new int[] {1, 3, 4}) {
            assertTrue(change[g] > 0.1, "group " + g + " sees full-resolution detail: " + report);
        }
    }

    @Test
    void aSetIsAtZeroFromItself() {
        ImageBatch a = PlantedImages.set(100, 5);
        MultiScaleFrechet ms = MultiScaleFrechet.fit(PlantedImages.set(200, 9), 16);
        assertEquals(0, ms.distance(a, a), 1e-9);
        assertEquals(16, ms.components());
        assertEquals(16, ms.features(a)[0].length);
    }

    @Test
    void invalidInputsAreRejectedNamingWhatWasWrong() {
        ImageBatch real = PlantedImages.set(40, 3);
        MultiScaleFrechet ms = MultiScaleFrechet.fit(real, 8);
        assertMessage(() -> MultiScaleFrechet.fit(real, 40), "40 principal components", "at least 41", "got 40");
        assertMessage(() -> MultiScaleFrechet.fit(real, 0), "0 principal components");
        assertMessage(() -> PixelFrechet.fit(real, 40), "at least 41", "got 40");
        assertMessage(() -> ms.distance(ImageBatch.zeros(4, new Resolution(16, 16), 3), real), "fitted on 32x32x3",
                "got 16x16x3");
        assertMessage(() -> ms.distance(real, ImageBatch.zeros(4, new Resolution(32, 32), 1)), "got 32x32x1");
        assertMessage(() -> ms.distance(real.image(0), real), "at least 2 images", "first set has 1");
        assertMessage(() -> MultiScaleFrechet.fit(ImageBatch.zeros(20, new Resolution(28, 28), 3), 4),
                "divisible by 8", "28x28");
        assertMessage(() -> MultiScaleFrechet.fit(ImageBatch.zeros(20, new Resolution(32, 32), 3), 4),
                "no variation", "8x8 colour");
    }

    static long[] seeds(int n, long first) {
        return LongStream.range(first, first + n).toArray();
    }

    private static ImageBatch noise(int n, Resolution r) {
        ImageBatch x = io.c2f.models.noise.GaussianNoise.normal(seeds(n, 777_000), 0, r, 3);
        float[] d = x.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = Math.max(-1f, Math.min(1f, d[i]));
        }
        return x;
    }
}
