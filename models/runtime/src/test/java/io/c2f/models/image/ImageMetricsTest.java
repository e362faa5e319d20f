package io.c2f.models.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;
import org.junit.jupiter.api.Test;

class ImageMetricsTest {
    @Test
    void mseAndPsnrOnEightBitValues() {
        ImageBatch a = ImageBatch.zeros(1, Resolution.square(2), 3);
        ImageBatch b = a.copy();
        assertEquals(Double.POSITIVE_INFINITY, ImageMetrics.psnr8(ImageMetrics.mse8(a, 0, b, 0)));
        // one channel of one pixel off by 10 levels: mse = 100 / 12
        b.data()[0] = (PngImages.toByte(0f) + 10) / 127.5f - 1f;
        double mse = ImageMetrics.mse8(a, 0, b, 0);
        assertEquals(100.0 / 12, mse, 1e-9);
        assertEquals(10 * Math.log10(255 * 255 / (100.0 / 12)), ImageMetrics.psnr8(mse), 1e-9);
    }

    @Test
    void floatMseAndPsnr() {
        ImageBatch a = new ImageBatch(new float[] {0, 0, 0, 0}, 1, Resolution.square(1), 4);
        ImageBatch b = new ImageBatch(new float[] {1, -1, 0, 0}, 1, Resolution.square(1), 4);
        assertEquals(0.5, ImageMetrics.mse(a, b), 1e-12);
        assertEquals(10 * Math.log10(8), ImageMetrics.psnr(0.5), 1e-12);
    }

    @Test
    void shapesMustMatch() {
        assertThrows(IllegalArgumentException.class, () -> ImageMetrics.mse8(ImageBatch.zeros(1, Resolution.square(2), 3),
                0, ImageBatch.zeros(1, Resolution.square(4), 3), 0));
    }
}
