package io.c2f.controller.rollout;

/** Where a rollout is. RUNNING and PAUSED can abort; ABORTING finishes its rollbacks, then ABORTED. */
public enum RolloutState {
    RUNNING, PAUSED, ABORTING, ABORTED, SUCCEEDED;

    /** Whether a controller still drives it (holds a lease on it). */
    public boolean active() {
        return this == RUNNING || this == PAUSED || this == ABORTING;
    }
}
