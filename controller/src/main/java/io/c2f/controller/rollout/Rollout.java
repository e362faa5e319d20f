package io.c2f.controller.rollout;

/** A rollout row. */
public record Rollout(String id, String fleet, String bundleId, RolloutSpec spec, RolloutState state,
        int currentWave, String abortReason, long createdMs, long updatedMs, Long finishedMs, String leaseOwner,
        long leaseExpiresMs) {
}
