package io.c2f.controller.job;

import io.c2f.proto.v1.JobState;
import java.util.Optional;

/** A job's state as the controller records it: the wire {@link JobState} without its prefix. */
public enum JobStatus {
    QUEUED, IN_PROGRESS, SUCCEEDED, FAILED, TIMED_OUT, REJECTED, CANCELED;

    public boolean terminal() {
        return this != QUEUED && this != IN_PROGRESS;
    }

    /** The controller's state for a wire state; empty for UNSPECIFIED and unknown values. */
    public static Optional<JobStatus> of(JobState s) {
        return switch (s) {
            case JOB_STATE_QUEUED -> Optional.of(QUEUED);
            case JOB_STATE_IN_PROGRESS -> Optional.of(IN_PROGRESS);
            case JOB_STATE_SUCCEEDED -> Optional.of(SUCCEEDED);
            case JOB_STATE_FAILED -> Optional.of(FAILED);
            case JOB_STATE_TIMED_OUT -> Optional.of(TIMED_OUT);
            case JOB_STATE_REJECTED -> Optional.of(REJECTED);
            case JOB_STATE_CANCELED -> Optional.of(CANCELED);
            default -> Optional.empty();
        };
    }
}
