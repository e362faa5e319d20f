package io.c2f.models.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.c2f.models.noise.GaussianNoise;
import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;
import java.io.ByteArrayInputStream;
import java.awt.image.BufferedImage;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class PngImagesTest {

    @Test
    void quantisation() {
        assertEquals(0, PngImages.toByte(-1f));
        assertEquals(255, PngImages.toByte(1f));
        assertEquals(128, PngImages.toByte(0f)); // 127.5 rounds up
        assertEquals(0, PngImages.toByte(-3f));
        assertEquals(255, PngImages.toByte(2.5f));
        assertEquals(0, PngImages.toByte(Float.NaN));
        assertEquals(64, PngImages.toByte(-0.5f)); // 63.75
        for (int p = 0; p < 256; p++) {
            assertEquals(p, PngImages.toByte(p / 127.5f - 1f), "byte " + p);
        }
    }

    @Test
    void encodeDecodeRoundTrip() throws Exception {
        Resolution r = new Resolution(5, 7);
        ImageBatch batch = GaussianNoise.normal(new long[] {1, 2}, 0, r, 3);
        byte[] png = PngImages.encode(batch, 1);
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        assertEquals(7, img.getWidth());
        assertEquals(5, img.getHeight());
        int rgb = img.getRGB(3, 2);
        assertEquals(PngImages.toByte(batch.get(1, 2, 3, 0)), (rgb >> 16) & 0xFF);
        assertEquals(PngImages.toByte(batch.get(1, 2, 3, 1)), (rgb >> 8) & 0xFF);
        assertEquals(PngImages.toByte(batch.get(1, 2, 3, 2)), rgb & 0xFF);

        ImageBatch decoded = PngImages.decode(png);
        assertEquals(r, decoded.resolution());
        float[] d = decoded.data();
        float[] o = batch.image(1).data();
        for (int i = 0; i < d.length; i++) {
            assertEquals(PngImages.toByte(o[i]), PngImages.toByte(d[i]));
            if (Math.abs(o[i]) <= 1) {
                assertEquals(o[i], d[i], 1 / 255.0 + 1e-6);
            }
        }
        assertArrayEquals(png, PngImages.encode(decoded, 0));
        assertEquals(2, PngImages.encodeAll(batch).length);
    }

    @Test
    void greyAndBadInputs() {
        ImageBatch grey = new ImageBatch(new float[] {-1f, 0f, 1f, 0.5f}, 1, new Resolution(2, 2), 1);
        ImageBatch decoded = PngImages.decode(PngImages.encode(grey, 0));
        assertEquals(3, decoded.channels());
        assertEquals(decoded.get(0, 1, 1, 0), decoded.get(0, 1, 1, 2));
        assertEquals(PngImages.toByte(0.5f), PngImages.toByte(decoded.get(0, 1, 1, 1)));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PngImages.encode(ImageBatch.zeros(1, Resolution.square(2), 4), 0));
        assertEquals("PNG needs 1 or 3 channels, the batch has 4", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PngImages.decode(new byte[] {1, 2, 3}));
        assertEquals("not a readable PNG (3 bytes)", e.getMessage());
        IndexOutOfBoundsException i = assertThrows(IndexOutOfBoundsException.class,
                () -> PngImages.encode(grey, 1));
        assertEquals("image 1 of a batch of 1", i.getMessage());
    }

    @Test
    void grid() throws Exception {
        Resolution r = new Resolution(4, 6);
        ImageBatch batch = GaussianNoise.normal(new long[] {1, 2, 3, 4, 5}, 0, r, 3);
        BufferedImage grid = ImageIO.read(new ByteArrayInputStream(ImageGrid.png(batch, 2, 3, 2)));
        assertEquals(3 * (6 + 2) + 2, grid.getWidth());
        assertEquals(2 * (4 + 2) + 2, grid.getHeight());
        // Image 4 sits at row 1, column 1; pixel (y=3, x=5) of it:
        int rgb = grid.getRGB(2 + 1 * 8 + 5, 2 + 1 * 6 + 3);
        assertEquals(PngImages.toByte(batch.get(4, 3, 5, 0)), (rgb >> 16) & 0xFF);
        assertEquals(PngImages.toByte(batch.get(4, 3, 5, 2)), rgb & 0xFF);
        // Padding and the empty sixth cell are black.
        assertEquals(0, grid.getRGB(0, 0) & 0xFFFFFF);
        assertEquals(0, grid.getRGB(2 + 2 * 8 + 1, 2 + 6 + 1) & 0xFFFFFF);
        BufferedImage auto = ImageIO.read(new ByteArrayInputStream(ImageGrid.png(batch)));
        assertEquals(3 * 7 + 1, auto.getWidth());
        assertEquals(2 * 5 + 1, auto.getHeight());
    }
}
