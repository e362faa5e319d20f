package io.c2f.controller.job;

/** What a job does on its device. */
public enum JobKind {
    /** Install the rollout's bundle. */
    INSTALL,
    /** Reinstall the bundle the device ran before an aborted rollout ({@code InstallBundle.rollback}). */
    ROLLBACK
}
