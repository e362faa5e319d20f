package io.c2f.controller.retune;

/** One schedule change as stored in the decision log ({@code retune_decisions}). */
public record RetuneRecord(long id, String deviceId, long decidedMs, String fromSchedule, String toSchedule,
                           double predictedMs, Double observedP95Ms, double targetMs, String reason, String jobId) {
}
