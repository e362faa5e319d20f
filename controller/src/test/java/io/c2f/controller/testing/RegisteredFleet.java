package io.c2f.controller.testing;

import io.c2f.controller.store.DeviceBirth;
import io.c2f.controller.store.DeviceRepository;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/**
 * Many devices in a controller's registry at once, written with the store call a birth makes
 * ({@link DeviceRepository#upsertBirth}) rather than over N MQTT connections, whose setup would
 * dominate a test (or benchmark) of the fleet table. Device i is {@code dev-%05d}; its labels,
 * schedule, bundle, last-seen time and status vary with i in a fixed way ({@link #schedule},
 * {@link #lastSeenMs}, {@link #offline}) so tests can work out what a query must return.
 */
public final class RegisteredFleet {
    /** Every device's birth time is this plus its {@link #lastSeenMs} offset. */
    public static final long BASE_MS = 1_700_000_000_000L;
    private static final int IN_FLIGHT = 64;

    private RegisteredFleet() {
    }

    public static String id(int i) {
        return String.format("dev-%05d", i);
    }

    public static List<String> labels(int i) {
        return List.of(i % 3 == 0 ? "rack-a" : "rack-b", "site_" + (i % 7));
    }

    public static String schedule(int i) {
        return i % 4 == 0 ? "c2f-8-4" : i % 4 == 1 ? "uniform-k10" : i % 4 == 2 ? "C2F-6-2" : "";
    }

    /** Last seen: a permutation of 0..n-1 seconds after {@link #BASE_MS} (distinct, not in id order). */
    public static long lastSeenMs(int i, int n) {
        return BASE_MS + (i * 7919L % n) * 1000;
    }

    /** Every fifth device has gone offline. */
    public static boolean offline(int i) {
        return i % 5 == 4;
    }

    /** Registers devices 0..n-1 of the fleet and takes every fifth offline; completes when all are stored. */
    public static Future<Void> register(DeviceRepository repo, String fleet, int n) {
        return batch(repo, fleet, n, 0);
    }

    private static Future<Void> batch(DeviceRepository repo, String fleet, int n, int from) {
        if (from >= n) {
            return Future.succeededFuture();
        }
        List<Future<?>> writes = new ArrayList<>();
        for (int i = from; i < Math.min(n, from + IN_FLIGHT); i++) {
            writes.add(register(repo, fleet, i, n));
        }
        return Future.all(writes).compose(cf -> batch(repo, fleet, n, from + IN_FLIGHT));
    }

    /**
     * Registers device i of n (or puts it back as registered: heartbeats never move last_seen back,
     * a birth sets it).
     */
    public static Future<Void> register(DeviceRepository repo, String fleet, int i, int n) {
        long at = lastSeenMs(i, n);
        DeviceBirth b = new DeviceBirth(id(i), fleet, 1, at, "0.9.0", "{}", "[]", labels(i), "unet-s",
                "1." + (i % 3) + ".0", "", "a", schedule(i), List.of());
        return repo.upsertBirth(b).compose(v -> offline(i)
                ? repo.markOffline(id(i), 1, "CONNECTION_LOST", at).mapEmpty() : Future.succeededFuture());
    }
}
