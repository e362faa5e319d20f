package io.c2f.models.quality;

import io.c2f.models.tensor.ImageBatch;

/** A distance between two sets of images (0 for a set and itself), as reports print it. */
@FunctionalInterface
public interface SetDistance {
    double distance(ImageBatch a, ImageBatch b);
}
