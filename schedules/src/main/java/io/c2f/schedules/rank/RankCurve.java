package io.c2f.schedules.rank;

import io.c2f.models.c2f.C2fPlan;
import java.util.List;

/**
 * Ranks along one trajectory.
 *
 * @param label "full" or "c2f" (used in CSV and plot)
 * @param seeds batch size N
 */
public record RankCurve(String label, C2fPlan plan, int seeds, List<RankPoint> points) {
    public RankCurve {
        points = List.copyOf(points);
    }
}
