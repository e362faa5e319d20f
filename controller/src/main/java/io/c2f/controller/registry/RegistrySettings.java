package io.c2f.controller.registry;

/**
 * What the device registry runs with, derived from the controller's config.
 *
 * @param fleet the fleet whose devices it keeps (messages of other fleets are refused)
 * @param sharedGroup the MQTT share group ("" when this instance receives all telemetry: only then
 *     is a gap in a device's telemetry sequence a loss)
 * @param heartbeatTimeoutFactor missed heartbeat intervals before a device is offline
 * @param defaultHeartbeatMs the interval assumed for a device that announced none
 * @param livenessSweepMs how often liveness is checked
 * @param telemetryBatchSize telemetry records written in one transaction at most
 * @param telemetryBatchDelayMs how long a batch waits to fill
 * @param telemetryQueueCapacity records queued for writing at most
 * @param telemetryWriters telemetry batches written at once, for disjoint sets of devices
 * @param telemetryAckAfterStore acknowledge a record when stored rather than when queued
 */
public record RegistrySettings(String fleet, String sharedGroup, double heartbeatTimeoutFactor, long defaultHeartbeatMs,
                               long livenessSweepMs, int telemetryBatchSize, long telemetryBatchDelayMs,
                               int telemetryQueueCapacity, int telemetryWriters, boolean telemetryAckAfterStore) {
}
