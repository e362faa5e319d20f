package io.c2f.schedules.trd;

import io.c2f.models.c2f.C2fPlan;
import io.c2f.schedules.Schedule;

/**
 * What a TRD search found.
 *
 * @param schedule the best plan, with provenance (method TRD, losses, MACs per image, seeds, time)
 * @param start the plan the search started from
 * @param startCalibrationLoss calibration loss of start; never below calibrationLoss
 * @param startHeldoutLoss held-out loss of start, for comparison
 * @param evaluations candidate plans evaluated (each a partial run from a cached prefix)
 * @param denoiserSteps batched denoiser calls spent by the local search
 * @param searchSeconds wall time of the local search (reference excluded)
 * @param referenceSeconds wall time spent computing references in this call (0 when cached)
 * @param stoppedByBudget whether the wall-clock or evaluation budget ended the search early
 */
public record TrdResult(Schedule schedule, C2fPlan start, double startCalibrationLoss, double calibrationLoss,
                        double startHeldoutLoss, double heldoutLoss, int evaluations, long denoiserSteps,
                        double searchSeconds, double referenceSeconds, boolean stoppedByBudget) {

    public C2fPlan plan() {
        return schedule.plan();
    }
}
