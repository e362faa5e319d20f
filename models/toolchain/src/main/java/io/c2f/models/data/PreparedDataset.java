package io.c2f.models.data;

import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;
import java.util.List;

/**
 * A deduplicated dataset split into train and held-out parts by content (see
 * {@link DatasetPreparer#isHeldOut(byte[])}), in source order within each part.
 */
public record PreparedDataset(List<PreparedImage> train, List<PreparedImage> heldOut, int duplicatesRemoved) {
    public PreparedDataset {
        train = List.copyOf(train);
        heldOut = List.copyOf(heldOut);
    }

    /** The images as float32 NHWC in [-1, 1] (v / 127.5 - 1), 32x32x3; null when {@code images} is empty. */
    public static ImageBatch toBatch(List<PreparedImage> images) {
        if (images.isEmpty()) {
            return null;
        }
        int s = DatasetPreparer.SIZE;
        float[] data = new float[images.size() * s * s * 3];
        int p = 0;
        for (PreparedImage im : images) {
            for (byte b : im.rgb8()) {
                data[p++] = DatasetPreparer.toUnit(b & 0xFF);
            }
        }
        return new ImageBatch(data, images.size(), new Resolution(s, s), 3);
    }
}
