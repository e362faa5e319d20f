package io.c2f.schedules.trd;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Settings of a TRD search.
 *
 * @param referenceSteps steps of the full-resolution uniform DDIM (eta 0) reference, e.g. 100 or 250
 * @param calibrationSeeds the seeds the search minimises over (the paper: 16); never empty
 * @param heldoutSeeds seeds only used to report the loss of the result; never empty, disjoint from
 *     calibrationSeeds
 * @param budget wall-clock limit of the local search (the reference is not counted); the best schedule
 *     found so far is returned when it runs out. The search does not start an evaluation that would
 *     likely end past it (estimated by the longest evaluation so far)
 * @param maxEvaluations limit on candidate evaluations (a deterministic budget, unlike wall clock)
 * @param initialDelta first move size in time steps; 0 picks max(1, T / (4 K))
 * @param minMove smallest move the coordinate descent tries, in time steps: a position whose move
 *     halves below it is settled (1 = down to single time steps; larger = fewer evaluations)
 * @param startShifts S: before the coordinate descent, the start plan shifted up by j T / (S K),
 *     j = 1 .. S - 1 (every time step together) is tried too, and the descent starts from the best
 *     of these S plans on the calibration loss (1 = the start plan only)
 * @param searchSwitchIndex for a C2F start, also move the switch index by +-1 within
 *     [minSwitchIndex, K - 1]
 * @param minSwitchIndex smallest switch index the search may choose (>= 1: the result stays C2F)
 */
public record TrdConfig(int referenceSteps, long[] calibrationSeeds, long[] heldoutSeeds, Duration budget,
                        int maxEvaluations, int initialDelta, int minMove, int startShifts,
                        boolean searchSwitchIndex, int minSwitchIndex) {
    public static final long HELDOUT_SEED_BASE = 1_000_000L;

    public TrdConfig {
        Objects.requireNonNull(budget, "budget");
        calibrationSeeds = calibrationSeeds.clone();
        heldoutSeeds = heldoutSeeds.clone();
        if (referenceSteps < 1) {
            throw new IllegalArgumentException("referenceSteps must be >= 1, got " + referenceSteps);
        }
        if (calibrationSeeds.length == 0) {
            throw new IllegalArgumentException("the calibration set is empty: TRD needs at least one calibration seed");
        }
        if (heldoutSeeds.length == 0) {
            throw new IllegalArgumentException("the held-out set is empty: the result's held-out loss needs seeds");
        }
        Set<Long> cal = new HashSet<>();
        Arrays.stream(calibrationSeeds).forEach(cal::add);
        for (long s : heldoutSeeds) {
            if (cal.contains(s)) {
                throw new IllegalArgumentException("held-out seed " + s + " is also a calibration seed");
            }
        }
        if (budget.isNegative() || budget.isZero()) {
            throw new IllegalArgumentException("budget must be positive, got " + budget);
        }
        if (maxEvaluations < 1) {
            throw new IllegalArgumentException("maxEvaluations must be >= 1, got " + maxEvaluations);
        }
        if (initialDelta < 0) {
            throw new IllegalArgumentException("initialDelta must be >= 0 (0 = automatic), got " + initialDelta);
        }
        if (minMove < 1) {
            throw new IllegalArgumentException("minMove must be >= 1 time step, got " + minMove);
        }
        if (startShifts < 1) {
            throw new IllegalArgumentException("startShifts must be >= 1 (1 = the start plan only), got "
                    + startShifts);
        }
        if (minSwitchIndex < 1) {
            throw new IllegalArgumentException("minSwitchIndex must be >= 1, got " + minSwitchIndex);
        }
    }

    /**
     * 100 reference steps, calibration seeds 0..15, held-out seeds 1e6..1e6+63, 10 minutes, moves down
     * to 1 time step, 4 shifted starts (see {@link TrdSearch}), switch index searched.
     */
    public static TrdConfig defaults() {
        return new TrdConfig(100, seeds(0, 16), seeds(HELDOUT_SEED_BASE, 64), Duration.ofMinutes(10),
                Integer.MAX_VALUE, 0, 1, 4, true, 1);
    }

    /** first, first + 1, ..., first + count - 1. */
    public static long[] seeds(long first, int count) {
        long[] s = new long[count];
        for (int i = 0; i < count; i++) {
            s[i] = first + i;
        }
        return s;
    }

    @Override
    public long[] calibrationSeeds() {
        return calibrationSeeds.clone();
    }

    @Override
    public long[] heldoutSeeds() {
        return heldoutSeeds.clone();
    }

    public TrdConfig withReferenceSteps(int steps) {
        return new TrdConfig(steps, calibrationSeeds, heldoutSeeds, budget, maxEvaluations, initialDelta,
                minMove, startShifts, searchSwitchIndex, minSwitchIndex);
    }

    public TrdConfig withSeeds(long[] calibration, long[] heldout) {
        return new TrdConfig(referenceSteps, calibration, heldout, budget, maxEvaluations, initialDelta,
                minMove, startShifts, searchSwitchIndex, minSwitchIndex);
    }

    public TrdConfig withBudget(Duration b) {
        return new TrdConfig(referenceSteps, calibrationSeeds, heldoutSeeds, b, maxEvaluations, initialDelta,
                minMove, startShifts, searchSwitchIndex, minSwitchIndex);
    }

    public TrdConfig withMaxEvaluations(int n) {
        return new TrdConfig(referenceSteps, calibrationSeeds, heldoutSeeds, budget, n, initialDelta,
                minMove, startShifts, searchSwitchIndex, minSwitchIndex);
    }

    public TrdConfig withInitialDelta(int d) {
        return new TrdConfig(referenceSteps, calibrationSeeds, heldoutSeeds, budget, maxEvaluations, d,
                minMove, startShifts, searchSwitchIndex, minSwitchIndex);
    }

    public TrdConfig withSwitchSearch(boolean on, int minSwitch) {
        return new TrdConfig(referenceSteps, calibrationSeeds, heldoutSeeds, budget, maxEvaluations, initialDelta,
                minMove, startShifts, on, minSwitch);
    }

    /** @see #minMove() */
    public TrdConfig withMinMove(int m) {
        return new TrdConfig(referenceSteps, calibrationSeeds, heldoutSeeds, budget, maxEvaluations, initialDelta,
                m, startShifts, searchSwitchIndex, minSwitchIndex);
    }

    /** @see #startShifts() */
    public TrdConfig withStartShifts(int shifts) {
        return new TrdConfig(referenceSteps, calibrationSeeds, heldoutSeeds, budget, maxEvaluations, initialDelta,
                minMove, shifts, searchSwitchIndex, minSwitchIndex);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrdConfig c && referenceSteps == c.referenceSteps
                && Arrays.equals(calibrationSeeds, c.calibrationSeeds) && Arrays.equals(heldoutSeeds, c.heldoutSeeds)
                && budget.equals(c.budget) && maxEvaluations == c.maxEvaluations && initialDelta == c.initialDelta
                && minMove == c.minMove && startShifts == c.startShifts && searchSwitchIndex == c.searchSwitchIndex && minSwitchIndex == c.minSwitchIndex;
    }

    @Override
    public int hashCode() {
        return Objects.hash(referenceSteps, Arrays.hashCode(calibrationSeeds), Arrays.hashCode(heldoutSeeds), budget,
                maxEvaluations, initialDelta, minMove, startShifts, searchSwitchIndex, minSwitchIndex);
    }

    @Override
    public String toString() {
        return "TrdConfig[referenceSteps=" + referenceSteps + ", calibration=" + calibrationSeeds.length
                + " seeds, heldout=" + heldoutSeeds.length + " seeds, budget=" + budget + ", maxEvaluations="
                + maxEvaluations + ", initialDelta=" + initialDelta + ", minMove=" + minMove + ", startShifts=" + startShifts
                + ", searchSwitchIndex=" + searchSwitchIndex
                + ", minSwitchIndex=" + minSwitchIndex + "]";
    }
}
