package io.c2f.models.quality;

import io.c2f.models.tensor.ImageBatch;

/**
 * {@link DetailMeasures} of a sample set divided by those of a reference set (e.g. held-out real
 * images): about 1 when the samples are as detailed as real images, below 1 when detail is lost
 * (blur, a coarse stage that never recovered), above 1 for noise or ringing.
 */
public record DetailRatio(double laplacianRatio, double highFrequencyRatio) {

    public static DetailRatio of(ImageBatch samples, ImageBatch reference) {
        return DetailMeasures.of(samples).relativeTo(DetailMeasures.of(reference));
    }

    @Override
    public String toString() {
        return String.format("Laplacian variance x%.3f, high-frequency (2x2) energy x%.3f", laplacianRatio,
                highFrequencyRatio);
    }
}
