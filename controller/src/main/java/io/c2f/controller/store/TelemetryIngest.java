package io.c2f.controller.store;

/**
 * What storing one telemetry record did.
 *
 * @param duplicate the (device, telemetry_seq) was stored before: nothing changed
 * @param dropped records the device's spool reported dropped before this one
 * @param gap records missing between the previous one and this one that dropped_before does not
 *     explain (lost in transit); negative when this record filled an earlier gap
 */
public record TelemetryIngest(boolean duplicate, long dropped, long gap) {
    public static final TelemetryIngest DUPLICATE = new TelemetryIngest(true, 0, 0);
}
