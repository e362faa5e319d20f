package io.c2f.controller.model;

import io.c2f.proto.v1.Schedule;

/**
 * One schedule of a model's catalog with what the retuner needs from it.
 *
 * @param stepsLow denoiser calls at the low resolution (the switch index)
 * @param stepsHigh denoiser calls at the full resolution
 * @param heldoutLoss the provenance's held-out loss (lower is better; 0 when not measured)
 * @param macsPerImage the provenance's MACs, or computed from the model's MACs when it had none
 * @param schedule what is sent to devices
 */
public record CatalogEntry(String modelId, String scheduleId, int stepsLow, int stepsHigh, double heldoutLoss,
                           long macsPerImage, String method, Schedule schedule) {

    public int steps() {
        return stepsLow + stepsHigh;
    }
}
