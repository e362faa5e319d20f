package io.c2f.schedules.frontier;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The quality-vs-MACs frontier of a set of schedules for one measure: schedules are compared at
 * equal cost, never at equal step counts only.
 *
 * <p>Rule: point A <em>dominates</em> point B when A has no more MACs per image than B and a value at
 * least as good on the measure, and is strictly better in one of the two (fewer MACs, or better
 * quality). A point is <em>Pareto-optimal</em> when no other point dominates it. So two points with
 * equal MACs and equal quality are both optimal (neither beats the other); with equal MACs the
 * better quality dominates; with equal quality the cheaper one dominates.
 */
public final class ParetoFrontier {
    private final Measure measure;
    private final List<FrontierPoint> points;
    private final Map<String, FrontierPoint> byId;
    /** Dominated point's id -> a point dominating it (the cheapest of the best that do). */
    private final Map<String, FrontierPoint> dominator;

    private ParetoFrontier(Measure measure, List<FrontierPoint> points, Map<String, FrontierPoint> byId,
                           Map<String, FrontierPoint> dominator) {
        this.measure = measure;
        this.points = points;
        this.byId = byId;
        this.dominator = dominator;
    }

    /**
     * @throws IllegalArgumentException when two points share a schedule id or a point has no value
     *         for {@code measure} (the message names it)
     */
    public static ParetoFrontier of(Measure measure, Collection<FrontierPoint> points) {
        if (measure == null) {
            throw new IllegalArgumentException("a frontier needs a measure");
        }
        Map<String, FrontierPoint> byId = new HashMap<>();
        for (FrontierPoint p : points) {
            p.value(measure);
            if (byId.put(p.scheduleId(), p) != null) {
                throw new IllegalArgumentException("schedule id " + p.scheduleId() + " appears twice on the frontier");
            }
        }
        // cheapest first, best first within equal MACs: one sweep finds every dominated point
        List<FrontierPoint> sorted = new ArrayList<>(points);
        sorted.sort(Comparator.comparingLong(FrontierPoint::macsPerImage)
                .thenComparing((a, b) -> measure.compare(b.value(measure), a.value(measure)))
                .thenComparing(FrontierPoint::scheduleId));
        Map<String, FrontierPoint> dominator = new HashMap<>();
        FrontierPoint bestCheaper = null; // best among strictly fewer MACs, the cheapest such on ties
        for (int i = 0; i < sorted.size(); ) {
            FrontierPoint groupBest = sorted.get(i);
            int end = i;
            while (end < sorted.size() && sorted.get(end).macsPerImage() == groupBest.macsPerImage()) {
                end++;
            }
            for (FrontierPoint p : sorted.subList(i, end)) {
                double q = p.value(measure);
                if (bestCheaper != null && measure.compare(bestCheaper.value(measure), q) >= 0) {
                    dominator.put(p.scheduleId(), bestCheaper);
                } else if (measure.compare(groupBest.value(measure), q) > 0) {
                    dominator.put(p.scheduleId(), groupBest);
                }
            }
            if (bestCheaper == null || measure.compare(groupBest.value(measure), bestCheaper.value(measure)) > 0) {
                bestCheaper = groupBest;
            }
            i = end;
        }
        return new ParetoFrontier(measure, List.copyOf(sorted), byId, dominator);
    }

    /** The rule of the class comment, for two points (both must have a value for the measure). */
    public static boolean dominates(Measure measure, FrontierPoint a, FrontierPoint b) {
        int q = measure.compare(a.value(measure), b.value(measure));
        return a.macsPerImage() <= b.macsPerImage() && q >= 0 && (a.macsPerImage() < b.macsPerImage() || q > 0);
    }

    public Measure measure() {
        return measure;
    }

    /** Every point, by MACs ascending (then best first, then schedule id). */
    public List<FrontierPoint> points() {
        return points;
    }

    /** The Pareto-optimal points, by MACs ascending. */
    public List<FrontierPoint> optimal() {
        return points.stream().filter(p -> !dominator.containsKey(p.scheduleId())).toList();
    }

    public boolean isOptimal(String scheduleId) {
        return dominator(scheduleId).isEmpty();
    }

    /**
     * A point that dominates this one, or empty when it is Pareto-optimal: the best point with fewer
     * MACs (the cheapest of them on ties) when it is at least as good, else the best with equal MACs.
     *
     * @throws IllegalArgumentException when no point has this schedule id
     */
    public Optional<FrontierPoint> dominator(String scheduleId) {
        if (!byId.containsKey(scheduleId)) {
            throw new IllegalArgumentException("no point " + scheduleId + " on the " + measure.name() + " frontier");
        }
        return Optional.ofNullable(dominator.get(scheduleId));
    }
}
