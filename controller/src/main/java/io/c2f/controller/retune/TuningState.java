package io.c2f.controller.retune;

/**
 * What the retuner remembers of one device between evaluations.
 *
 * @param assignedScheduleId the schedule last sent (null: none yet)
 * @param assignedAtMs when (0: never)
 * @param betterCandidateId a better schedule that currently fits the target with margin (null: none)
 * @param betterSinceMs since when it has (continuously)
 */
record TuningState(String assignedScheduleId, long assignedAtMs, String betterCandidateId, long betterSinceMs) {
    public static final TuningState INITIAL = new TuningState(null, 0, null, 0);

    TuningState noCandidate() {
        return betterCandidateId == null ? this : new TuningState(assignedScheduleId, assignedAtMs, null, 0);
    }
}
