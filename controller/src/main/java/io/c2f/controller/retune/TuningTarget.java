package io.c2f.controller.retune;

/**
 * A device the retuner looks after.
 *
 * @param targetMs its p95 latency target per image
 * @param modelId the model whose catalog it chooses from (explicit, or matched by the installed
 *     bundle's model sha256; null when neither)
 * @param scheduleId the schedule the device reported in its birth
 * @param labels its labels (JSON array text)
 */
public record TuningTarget(String deviceId, double targetMs, String modelId, String bundleModelSha256,
                           String scheduleId, String labels) {
}
