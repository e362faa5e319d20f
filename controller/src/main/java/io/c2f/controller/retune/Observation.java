package io.c2f.controller.retune;

import io.c2f.controller.telemetry.CostModel;
import io.c2f.controller.telemetry.Percentiles;

/**
 * What the device's telemetry says right now.
 *
 * @param runningScheduleId the schedule of its latest generation (null: none seen)
 * @param running latency percentiles of the generations of that schedule in the window
 * @param meanPredictedMs the cost model's mean prediction for those same generations (to calibrate
 *     the tail: p95 / mean prediction)
 * @param cost the cost model fitted on the window (null: no generations)
 * @param lowToHighCostRatio low-step cost over high-step cost from the model's MACs, for a phase
 *     the device has never run
 * @param latestAtMs when the controller received the latest generation (0: none seen)
 */
record Observation(String runningScheduleId, Percentiles running, double meanPredictedMs, CostModel cost,
                          double lowToHighCostRatio, long latestAtMs) {
}
