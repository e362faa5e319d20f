package io.c2f.models.image;

import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/**
 * Images of a batch as 8-bit RGB PNG, and back.
 *
 * <p>Quantisation: a value v in [-1, 1] becomes the byte clamp(round((v + 1) * 127.5), 0, 255),
 * computed in double with round(x) = floor(x + 0.5) ({@link Math#round(double)}); NaN becomes 0.
 * Decoding maps a byte p back to p / 127.5 - 1, so encode(decode(png)) gives the same pixels.
 * One-channel images are written as grey RGB (r = g = b); other channel counts are refused.
 */
public final class PngImages {
    private PngImages() {
    }

    /** The byte for value v: clamp(round((v + 1) * 127.5), 0, 255). */
    public static int toByte(float v) {
        long q = Math.round((v + 1.0) * 127.5);
        return (int) Math.max(0, Math.min(255, q));
    }

    /** Image {@code index} of the batch as PNG bytes. */
    public static byte[] encode(ImageBatch batch, int index) {
        return write(toRgb(batch, index));
    }

    /** Every image of the batch as PNG bytes. */
    public static byte[][] encodeAll(ImageBatch batch) {
        byte[][] out = new byte[batch.batch()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = encode(batch, i);
        }
        return out;
    }

    /** A PNG (any kind javax.imageio reads) as a batch of one RGB image, values p / 127.5 - 1. */
    public static ImageBatch decode(byte[] png) {
        BufferedImage img;
        try {
            img = ImageIO.read(new ByteArrayInputStream(png));
        } catch (IOException e) {
            throw new IllegalArgumentException("not a readable PNG: " + e.getMessage(), e);
        }
        if (img == null) {
            throw new IllegalArgumentException("not a readable PNG (" + png.length + " bytes)");
        }
        int h = img.getHeight();
        int w = img.getWidth();
        float[] data = new float[h * w * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = img.getRGB(x, y);
                int o = (y * w + x) * 3;
                data[o] = ((rgb >> 16) & 0xFF) / 127.5f - 1f;
                data[o + 1] = ((rgb >> 8) & 0xFF) / 127.5f - 1f;
                data[o + 2] = (rgb & 0xFF) / 127.5f - 1f;
            }
        }
        return new ImageBatch(data, 1, new Resolution(h, w), 3);
    }

    /** Image {@code index} as a TYPE_INT_RGB image. */
    static BufferedImage toRgb(ImageBatch batch, int index) {
        if (index < 0 || index >= batch.batch()) {
            throw new IndexOutOfBoundsException("image " + index + " of a batch of " + batch.batch());
        }
        int c = batch.channels();
        if (c != 1 && c != 3) {
            throw new IllegalArgumentException("PNG needs 1 or 3 channels, the batch has " + c);
        }
        int h = batch.height();
        int w = batch.width();
        float[] d = batch.data();
        int base = index * batch.imageSize();
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int o = base + (y * w + x) * c;
                int r = toByte(d[o]);
                int g = c == 3 ? toByte(d[o + 1]) : r;
                int b = c == 3 ? toByte(d[o + 2]) : r;
                img.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return img;
    }

    static byte[] write(BufferedImage img) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(img, "png", out)) {
                throw new IllegalStateException("no PNG writer in this JVM");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
