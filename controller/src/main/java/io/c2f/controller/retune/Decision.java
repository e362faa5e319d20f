package io.c2f.controller.retune;

import io.c2f.controller.catalog.CatalogEntry;

/**
 * The retuner's verdict for one device.
 *
 * @param to the schedule to send, or null to keep the current one
 * @param direction INITIAL, DOWNGRADE or UPGRADE when changing; KEEP otherwise
 * @param predictedMs predicted p95 of {@code to} on this device (NaN when keeping)
 * @param observedP95Ms p95 of the running schedule (NaN when unknown)
 * @param reason why, in words an operator reads
 * @param next the state to remember
 */
record Decision(CatalogEntry to, String direction, double predictedMs, double observedP95Ms, String reason,
                       TuningState next) {

    public boolean changes() {
        return to != null;
    }
}
