package io.c2f.models.c2f;

import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;

/**
 * Sees every step of a sampling run (for rank analysis, plots, debugging). Called once per step,
 * after the denoiser call, with the step's input state x_t and the x0 predicted from it. The batches
 * are never modified afterwards by the executor; an observer must not modify them either.
 */
@FunctionalInterface
public interface TrajectoryObserver {
    TrajectoryObserver NONE = (stepIndex, timestep, resolution, xt, x0hat) -> {
    };

    void onStep(int stepIndex, int timestep, Resolution resolution, ImageBatch xt, ImageBatch x0hat);
}
