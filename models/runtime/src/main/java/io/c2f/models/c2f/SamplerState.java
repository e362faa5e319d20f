package io.c2f.models.c2f;

import io.c2f.models.tensor.ImageBatch;
import java.util.List;

/**
 * A run stopped before step {@code nextStep} of {@code plan}: x is the state at
 * plan.timestep(nextStep) (or, once all steps ran, the final x0 at the last phase's resolution);
 * x0hat is the x0 predicted by the last step (null before the first). Before the switch step x is
 * still at low resolution: the switch is applied when that step runs.
 *
 * <p>Resume it with any plan that {@link C2fPlan#sharesPrefix shares} the first nextStep steps, so a
 * search over schedules computes each shared prefix once.
 *
 * @param phases cost so far, in the order the phases ran
 * @param elapsedNanos wall time spent on this run so far (including initial noise)
 */
public record SamplerState(C2fPlan plan, long[] seeds, int nextStep, ImageBatch x, ImageBatch x0hat,
                           List<PhaseTiming> phases, long elapsedNanos) {
    public SamplerState {
        seeds = seeds.clone();
        phases = List.copyOf(phases);
    }

    @Override
    public long[] seeds() {
        return seeds.clone();
    }

    /** Whether every step of the plan has run. */
    public boolean isComplete() {
        return nextStep == plan.steps();
    }
}
