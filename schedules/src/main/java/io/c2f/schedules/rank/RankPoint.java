package io.c2f.schedules.rank;

import io.c2f.models.tensor.Resolution;

/**
 * PCA ranks of one sampling step over a batch of seeds: of the predicted x0 and of the input state
 * x_t, at 95% and 99% energy, computed at the step's own resolution.
 */
public record RankPoint(int step, int timestep, Resolution resolution, int x0Rank95, int x0Rank99, int xtRank95,
                        int xtRank99) {
}
