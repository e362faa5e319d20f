package io.c2f.schedules.frontier;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * A Markdown table of schedules sorted by MACs per image: schedule, MACs/image, then one column per
 * measure holding the value and {@value #OPTIMAL} when the schedule is Pareto-optimal for that
 * measure ({@link ParetoFrontier}). Adding a measure is adding one {@link Column}.
 */
public final class FrontierTable {
    /** The mark of a Pareto-optimal value. */
    public static final String OPTIMAL = "*";

    /** One measure's column: its header is the measure's name, its cells {@code format} of the value. */
    public record Column(Measure measure, String format) {
    }

    private FrontierTable() {
    }

    /**
     * @throws IllegalArgumentException when a point lacks a column's measure or two share an id
     */
    public static String markdown(List<FrontierPoint> points, List<Column> columns) {
        List<ParetoFrontier> frontiers = columns.stream().map(c -> ParetoFrontier.of(c.measure(), points)).toList();
        List<FrontierPoint> sorted = new ArrayList<>(points);
        sorted.sort(Comparator.comparingLong(FrontierPoint::macsPerImage).thenComparing(FrontierPoint::scheduleId));
        StringBuilder out = new StringBuilder("| schedule | MACs/image |");
        StringBuilder rule = new StringBuilder("|---|---|");
        for (Column c : columns) {
            out.append(' ').append(c.measure().name()).append(" (").append(c.measure().direction().phrase())
                    .append(") |");
            rule.append("---|");
        }
        out.append('\n').append(rule).append('\n');
        for (FrontierPoint p : sorted) {
            out.append("| ").append(p.scheduleId()).append(" | ").append(p.macsPerImage()).append(" |");
            for (int i = 0; i < columns.size(); i++) {
                Column c = columns.get(i);
                out.append(' ').append(String.format(Locale.ROOT, c.format(), p.value(c.measure())))
                        .append(frontiers.get(i).isOptimal(p.scheduleId()) ? " " + OPTIMAL : "").append(" |");
            }
            out.append('\n');
        }
        return out.toString();
    }
}
