package io.c2f.controller.store;

import java.util.List;

/**
 * One row of the device registry. Optional values are null when unknown.
 *
 * @param capabilities what its last birth announced (empty: nothing, or an agent before the field)
 */
public record DeviceRecord(
        String id,
        String fleet,
        List<String> labels,
        String hardwareJson,
        String delegatesJson,
        String agentVersion,
        String bundleId,
        String bundleVersion,
        String bundleModelSha256,
        String bundleSlot,
        String scheduleId,
        long bdSeq,
        DeviceStatus status,
        String offlineReason,
        long firstSeenMs,
        long lastSeenMs,
        long lastBirthMs,
        Integer heartbeatIntervalMs,
        Double latencyTargetMs,
        long telemetryNextSeq,
        long telemetryReceived,
        long telemetryDropped,
        long telemetryGap,
        List<String> capabilities) {

    public DeviceRecord {
        labels = List.copyOf(labels);
        capabilities = List.copyOf(capabilities);
    }
}
