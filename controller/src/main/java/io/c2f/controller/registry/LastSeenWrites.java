package io.c2f.controller.registry;

import io.c2f.controller.store.DeviceRepository;
import io.c2f.controller.store.DeviceTouch;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Heartbeats' last_seen writes, gathered and written together: one transaction per flush instead of
 * one per heartbeat (on H2 with WRITE_DELAY=0 each commit writes a chunk to the file, and the
 * heartbeat commits of a few thousand devices took most of the controller's CPU). A device's newer
 * heartbeat replaces its pending one. Liveness is decided in memory, so a last_seen written up to a
 * flush interval late changes nothing but the column; losing pending writes in a crash loses only
 * last_seen times the next heartbeats write again. Used on the registry's event loop only.
 */
final class LastSeenWrites {
    private final DeviceRepository repository;
    private final int maxPending;
    private Map<String, DeviceTouch> pending = new LinkedHashMap<>();
    private Future<Void> inFlight = Future.succeededFuture();

    /** @param maxPending pending devices beyond which {@link #add} starts a flush at once */
    LastSeenWrites(DeviceRepository repository, int maxPending) {
        this.repository = repository;
        this.maxPending = maxPending;
    }

    void add(DeviceTouch touch) {
        pending.put(touch.deviceId(), touch);
        if (pending.size() >= maxPending) {
            flush();
        }
    }

    int pending() {
        return pending.size();
    }

    /**
     * Writes what is pending, after the write in flight (so writes land in order, one at a time).
     *
     * @return completes when this flush's write completed; fails with the write's failure
     */
    Future<Void> flush() {
        if (pending.isEmpty()) {
            return inFlight.otherwiseEmpty().mapEmpty();
        }
        List<DeviceTouch> batch = new ArrayList<>(pending.values());
        pending = new LinkedHashMap<>();
        Future<Void> next = inFlight.otherwiseEmpty().compose(x -> repository.touchAll(batch));
        inFlight = next;
        return next;
    }
}
