package io.c2f.controller.store;

import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;

/**
 * The device registry's storage. Every method runs off the event loop and completes its future
 * there; callers order the operations of one device themselves (see the registry).
 */
public interface DeviceRepository {

    /** Creates or updates the device from its birth: ONLINE, with the birth's bdSeq. */
    Future<Void> upsertBirth(DeviceBirth birth);

    /**
     * Marks the device OFFLINE if it is ONLINE with this bdSeq.
     *
     * @return whether it was
     */
    Future<Boolean> markOffline(String deviceId, long bdSeq, String reason, long atMs);

    /**
     * Records heartbeats of many devices in one transaction: each is ignored for another session
     * than the device's, and never moves last_seen back in time.
     */
    Future<Void> touchAll(List<DeviceTouch> touches);

    /** Stores a telemetry record once per (device, telemetry_seq) and updates the loss counters. */
    default Future<TelemetryIngest> ingestTelemetry(TelemetryRecord record) {
        return ingestTelemetryBatch(List.of(record)).map(results -> results.get(0));
    }

    /**
     * Stores telemetry records in one transaction, as {@link #ingestTelemetry} would one after the
     * other in list order.
     *
     * @return what storing each did, in the same order
     */
    Future<List<TelemetryIngest>> ingestTelemetryBatch(List<TelemetryRecord> records);

    Future<Optional<DeviceRecord>> find(String fleet, String deviceId);

    /**
     * Devices of a fleet in id order.
     *
     * @param status only these, or null for all
     * @param afterId page after this id, or null from the start
     */
    default Future<List<DeviceRecord>> list(String fleet, DeviceStatus status, String afterId, int limit) {
        DeviceQuery byId;
        try {
            byId = DeviceQuery.byId(status, afterId, limit);
        } catch (IllegalArgumentException e) {
            return Future.failedFuture(e);
        }
        return query(fleet, byId);
    }

    /** One page of a fleet's devices: filtered, searched, in the query's order after its cursor. */
    Future<List<DeviceRecord>> query(String fleet, DeviceQuery query);

    /** Cheap round trip for health checks. */
    Future<Void> ping();
}
