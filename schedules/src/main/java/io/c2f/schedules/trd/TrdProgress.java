package io.c2f.schedules.trd;

import io.c2f.models.c2f.C2fPlan;

/**
 * A progress report of a running search: sent once at the start, after every accepted move and
 * whenever the move size shrinks.
 *
 * @param evaluations candidate plans evaluated so far
 * @param accepted moves accepted so far
 * @param delta current move size in time steps
 * @param bestLoss calibration loss of {@code best}
 * @param best the best plan so far
 */
public record TrdProgress(int evaluations, int accepted, int delta, double bestLoss, double elapsedSeconds,
                          C2fPlan best) {
}
