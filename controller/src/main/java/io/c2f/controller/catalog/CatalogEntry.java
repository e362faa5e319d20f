package io.c2f.controller.catalog;

import io.c2f.schedules.Schedule;
import java.util.Comparator;

/**
 * One schedule of a model's catalog with what the retuner needs from it.
 *
 * @param stepsLow denoiser calls at the low resolution (the switch index)
 * @param stepsHigh denoiser calls at the full resolution
 * @param heldoutLoss the provenance's held-out loss (lower is better; 0 when not measured)
 * @param macsPerImage the provenance's MACs, or computed from the model's MACs when it had none
 * @param schedule the validated schedule (its proto is what devices get), MACs per image in its provenance
 */
public record CatalogEntry(String modelId, String scheduleId, int stepsLow, int stepsHigh, double heldoutLoss,
                           long macsPerImage, String method, Schedule schedule) {

    /**
     * Best quality first: lower held-out loss. A schedule whose loss was never measured (loss 0, e.g. the
     * model-independent baselines) ranks after every measured one: nothing says it is better. Equal
     * losses: more steps first, then more full-resolution steps.
     */
    public static final Comparator<CatalogEntry> BEST_FIRST = Comparator.comparingDouble(
                    (CatalogEntry e) -> e.heldoutLoss() > 0 ? e.heldoutLoss() : Double.POSITIVE_INFINITY)
            .thenComparing(Comparator.comparingInt(CatalogEntry::steps).reversed())
            .thenComparing(Comparator.comparingInt(CatalogEntry::stepsHigh).reversed())
            .thenComparing(CatalogEntry::scheduleId);

    public int steps() {
        return stepsLow + stepsHigh;
    }
}
