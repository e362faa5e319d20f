package io.c2f.models.c2f;

import io.c2f.models.tensor.ImageBatch;
import java.util.List;

/**
 * The images of a run and what they cost.
 *
 * @param images the final x0 at high resolution, one image per seed
 * @param phases "low", "switch", "high", in that order, only those that ran
 * @param totalMacs sum of the phases' denoiser MACs (whole batch)
 * @param totalMillis wall time of the run, initial noise included
 * @param engine the denoiser's engine
 */
public record C2fResult(ImageBatch images, List<PhaseTiming> phases, long totalMacs, double totalMillis,
                        String engine) {
    public C2fResult {
        phases = List.copyOf(phases);
    }
}
