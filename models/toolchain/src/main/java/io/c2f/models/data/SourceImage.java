package io.c2f.models.data;

import java.awt.image.BufferedImage;
import java.util.Objects;

/**
 * One image as it came out of a source dataset, before preprocessing.
 *
 * @param id    where it came from, stable across runs (e.g. "glyph 1234 U+1F600", "train[17]")
 * @param label class label for labelled datasets (CIFAR-10, Fashion-MNIST), {@link #NO_LABEL} otherwise
 * @param image the decoded pixels, any size, with or without alpha
 */
public record SourceImage(String id, int label, BufferedImage image) {
    public static final int NO_LABEL = -1;

    public SourceImage {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(image, "image");
        if (label < NO_LABEL) {
            throw new IllegalArgumentException("label must be >= 0 or NO_LABEL, got " + label + " for " + id);
        }
    }
}
