package io.c2f.controller.job;

/**
 * One job of one device, as stored.
 *
 * @param rolloutId the rollout that made it, or null
 * @param previousBundleId the bundle the device ran when the job was made (what a rollback restores), or null
 * @param step the last JobStep reported (without prefix), or null
 * @param deadlineMs the controller declares the job TIMED_OUT after this instant
 * @param sentMs when the command was last published, or null while not yet sent
 */
public record Job(String id, String rolloutId, Integer waveIndex, String deviceId, JobKind kind, String bundleId,
        String previousBundleId, JobStatus state, String step, int progress, String errorCode, String errorMessage,
        Double probePsnrDb, Boolean probePassed, long stepTimeoutMs, long deadlineMs, int attempts, long createdMs,
        Long sentMs, Long startedMs, long updatedMs, Long finishedMs) {

    /** A new, unsent job. */
    public static Job queued(String id, String rolloutId, Integer waveIndex, String deviceId, JobKind kind,
            String bundleId, String previousBundleId, long stepTimeoutMs, long deadlineMs, long nowMs) {
        return new Job(id, rolloutId, waveIndex, deviceId, kind, bundleId, previousBundleId, JobStatus.QUEUED, null, 0,
                null, null, null, null, stepTimeoutMs, deadlineMs, 0, nowMs, null, null, nowMs, null);
    }
}
