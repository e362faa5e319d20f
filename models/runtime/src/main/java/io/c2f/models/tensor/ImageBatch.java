package io.c2f.models.tensor;

import java.util.Arrays;

/**
 * A batch of images as float32 in NHWC order (the TFLite layout), values nominally in [-1, 1].
 *
 * <p>The array is owned by the batch: constructors copy nothing, so callers must not keep writing
 * to an array they handed over. {@link #copy()} gives an independent batch.
 */
public final class ImageBatch {
    private final float[] data;
    private final int batch;
    private final Resolution resolution;
    private final int channels;

    public ImageBatch(float[] data, int batch, Resolution resolution, int channels) {
        if (batch <= 0 || channels <= 0) {
            throw new IllegalArgumentException("batch and channels must be positive, got " + batch + ", " + channels);
        }
        long expected = (long) batch * resolution.pixels() * channels;
        if (data.length != expected) {
            throw new IllegalArgumentException("data has " + data.length + " floats, shape " + batch + "x"
                    + resolution + "x" + channels + " needs " + expected);
        }
        this.data = data;
        this.batch = batch;
        this.resolution = resolution;
        this.channels = channels;
    }

    public static ImageBatch zeros(int batch, Resolution resolution, int channels) {
        return new ImageBatch(new float[batch * resolution.pixels() * channels], batch, resolution, channels);
    }

    /** The backing array (NHWC). Mutating it mutates the batch. */
    public float[] data() {
        return data;
    }

    public int batch() {
        return batch;
    }

    public Resolution resolution() {
        return resolution;
    }

    public int height() {
        return resolution.height();
    }

    public int width() {
        return resolution.width();
    }

    public int channels() {
        return channels;
    }

    /** Floats per image. */
    public int imageSize() {
        return resolution.pixels() * channels;
    }

    public ImageBatch copy() {
        return new ImageBatch(data.clone(), batch, resolution, channels);
    }

    /** Image i as its own batch of one (copied). */
    public ImageBatch image(int i) {
        int n = imageSize();
        return new ImageBatch(Arrays.copyOfRange(data, i * n, (i + 1) * n), 1, resolution, channels);
    }

    public float get(int n, int y, int x, int c) {
        return data[((n * resolution.height() + y) * resolution.width() + x) * channels + c];
    }

    @Override
    public String toString() {
        return "ImageBatch[" + batch + "x" + resolution + "x" + channels + "]";
    }
}
