package io.c2f.controller.dashboard;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The whole fleet table at one moment, immutable. Each order is sorted once per snapshot (on a
 * worker, the first time a page asks for it) and kept, so a page is one scan of a sorted array:
 * a search and a page at 10,000 devices cost no sort.
 */
final class FleetSnapshot {
    private final List<FleetRow> rows;
    private final long atMs;
    private final JsonObject summary;
    private final Map<String, FleetRow[]> orders = new ConcurrentHashMap<>();

    FleetSnapshot(List<FleetRow> rows, long atMs, boolean truncated) {
        this.rows = List.copyOf(rows);
        this.atMs = atMs;
        int online = 0;
        int installing = 0;
        int offline = 0;
        int over = 0;
        for (FleetRow r : this.rows) {
            switch (r.status()) {
                case "ONLINE" -> online++;
                case "INSTALLING" -> installing++;
                default -> offline++;
            }
            over += r.overTarget() ? 1 : 0;
        }
        this.summary = new JsonObject().put("total", this.rows.size()).put("online", online)
                .put("installing", installing).put("offline", offline).put("overTarget", over)
                .put("truncated", truncated);
    }

    long atMs() {
        return atMs;
    }

    /** Counts over the whole fleet, whatever a query filters. */
    JsonObject summary() {
        return summary.copy();
    }

    /** One page of the rows the query matches, in its order, with the counts the page shows. Runs on a worker. */
    JsonObject page(FleetQuery q) {
        FleetRow[] sorted = orders.computeIfAbsent(q.sort().param() + (q.descending() ? "-desc" : "-asc"), k -> {
            FleetRow[] a = rows.toArray(new FleetRow[0]);
            Arrays.sort(a, q.sort().comparator(q.descending()));
            return a;
        });
        long from = (long) (q.page() - 1) * q.limit();
        long to = from + q.limit();
        int matched = 0;
        JsonArray devices = new JsonArray();
        for (FleetRow r : sorted) {
            if (q.matches(r)) {
                if (matched >= from && matched < to) {
                    devices.add(r.json());
                }
                matched++;
            }
        }
        return new JsonObject().put("devices", devices).put("matched", matched).put("page", q.page())
                .put("pages", Math.max(1, (matched + q.limit() - 1) / q.limit())).put("limit", q.limit())
                .put("sort", q.sort().param()).put("order", q.descending() ? "desc" : "asc")
                .put("summary", summary()).put("asOf", Instant.ofEpochMilli(atMs).toString());
    }
}
