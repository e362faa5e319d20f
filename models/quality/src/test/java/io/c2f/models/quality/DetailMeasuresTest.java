package io.c2f.models.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;
import org.junit.jupiter.api.Test;

class DetailMeasuresTest {

    @Test
    void blurredPlantedImagesHaveADetailRatioBelowOneAndUnblurredOnesAboutOne() {
        ImageBatch reference = PlantedImages.set(200, 1);
        DetailRatio copy = DetailRatio.of(reference.copy(), reference);
        assertEquals(1.0, copy.laplacianRatio(), 1e-12);
        assertEquals(1.0, copy.highFrequencyRatio(), 1e-12);
        contrast("planted images", PlantedImages.set(200, 10_001), reference);
    }

    @Test
    void blurredEmojiHaveADetailRatioBelowOneAndUnblurredOnesAboutOne() {
        contrast("emoji", RealEmoji.train(0, 600), RealEmoji.train(600, 1249));
    }

    /** {@code samples} and {@code reference}: disjoint sets of one distribution. */
    private static void contrast(String what, ImageBatch samples, ImageBatch reference) {
        DetailRatio same = DetailRatio.of(samples, reference);
        DetailRatio block = DetailRatio.of(PlantedImages.blockBlur(samples), reference);
        DetailRatio box2 = DetailRatio.of(PlantedImages.boxBlur(samples, 2), reference);
        DetailRatio box3 = DetailRatio.of(PlantedImages.boxBlur(samples, 3), reference);
        String report = String.format("%s, %d vs %d: unblurred %s | 2x2 block mean %s | 2x2 box blur %s | 3x3 box blur"
                + " %s", what, samples.batch(), reference.batch(), same, block, box2, box3);
        System.out.println(report);
        assertTrue(Math.abs(same.laplacianRatio() - 1) < 0.15 && Math.abs(same.highFrequencyRatio() - 1) < 0.15,
                "unblurred should be about 1: " + report);
        // block means keep sharp (blocky) edges, which the Laplacian still sees; the 2x2 band is gone entirely
        assertTrue(block.laplacianRatio() < 0.85 && block.highFrequencyRatio() < 1e-6, "2x2 block mean: " + report);
        assertTrue(box2.laplacianRatio() < 0.4 && box2.highFrequencyRatio() < 0.75, "2x2 box blur: " + report);
        assertTrue(box3.laplacianRatio() < 0.2 && box3.highFrequencyRatio() < 0.5, "3x3 box blur: " + report);
    }

    @Test
    void invalidInputsAreRejectedNamingWhatWasWrong() {
        ImageBatch ref = PlantedImages.set(4, 1);
        assertMessage(() -> DetailRatio.of(ImageBatch.zeros(4, new Resolution(16, 16), 3), ref), "16x16x3", "32x32x3");
        assertMessage(() -> DetailRatio.of(ImageBatch.zeros(4, new Resolution(32, 32), 1), ref), "32x32x1", "32x32x3");
        assertMessage(() -> DetailMeasures.of(ImageBatch.zeros(2, new Resolution(15, 16), 3)), "even", "15x16");
        assertMessage(() -> DetailMeasures.of(ImageBatch.zeros(2, new Resolution(16, 16), 2)), "1 or 3 channels", "2");
        assertMessage(() -> DetailRatio.of(ref, ImageBatch.zeros(4, new Resolution(32, 32), 3)), "no detail");
        // an empty set cannot even be built: ImageBatch rejects a batch of 0
        assertThrows(IllegalArgumentException.class, () -> ImageBatch.zeros(0, new Resolution(32, 32), 3));
    }

    static void assertMessage(org.junit.jupiter.api.function.Executable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "'" + p + "' missing from: " + e.getMessage());
        }
    }
}
