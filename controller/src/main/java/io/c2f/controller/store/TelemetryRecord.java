package io.c2f.controller.store;

import io.c2f.proto.v1.Telemetry;

/** One telemetry record as received, ready to store. */
public record TelemetryRecord(
        String deviceId,
        String fleet,
        long telemetrySeq,
        long droppedBefore,
        String kind,
        long sentAtMs,
        long receivedAtMs,
        byte[] payload) {

    public static TelemetryRecord from(String fleet, Telemetry t, long receivedAtMs) {
        return new TelemetryRecord(t.getDeviceId(), fleet, t.getTelemetrySeq(), t.getDroppedBefore(),
                t.getRecordCase().name(), t.getHeader().getSentAtMs(), receivedAtMs, t.toByteArray());
    }
}
