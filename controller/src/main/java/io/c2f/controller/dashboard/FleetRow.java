package io.c2f.controller.dashboard;

import io.vertx.core.json.JsonObject;

/**
 * One device of the fleet table: the values it is sorted and searched on, and the row as the
 * page draws it.
 *
 * @param status ONLINE, INSTALLING or OFFLINE
 * @param schedule the schedule it runs (from its generations), else the one its birth announced
 * @param searchText id, labels, bundle, schedules and delegate, lower case, one per line
 */
record FleetRow(String id, String status, String bundle, String schedule, Double p50Ms, Double p95Ms, Double p99Ms,
                Double targetMs, String delegate, long lastSeenMs, String searchText, JsonObject json) {

    /** Whether its p95 is over its latency target. */
    boolean overTarget() {
        return targetMs != null && p95Ms != null && p95Ms > targetMs;
    }
}
