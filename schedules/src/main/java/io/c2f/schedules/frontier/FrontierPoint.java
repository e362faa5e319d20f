package io.c2f.schedules.frontier;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One schedule on the quality-vs-cost plane: its MACs per image and its value for each quality
 * measure it was measured on (in the order given, which is the column order of {@link
 * FrontierTable}). A new measure is one more entry: {@link #with}.
 */
public record FrontierPoint(String scheduleId, long macsPerImage, Map<Measure, Double> quality) {
    public FrontierPoint {
        if (scheduleId == null || scheduleId.isBlank()) {
            throw new IllegalArgumentException("a frontier point needs a schedule id");
        }
        if (macsPerImage < 0) {
            throw new IllegalArgumentException("point " + scheduleId + ": negative MACs per image " + macsPerImage);
        }
        if (quality == null) {
            throw new IllegalArgumentException("point " + scheduleId + ": no quality map");
        }
        Map<String, Measure> byName = new LinkedHashMap<>();
        for (Map.Entry<Measure, Double> q : quality.entrySet()) {
            Measure m = q.getKey();
            if (m == null || q.getValue() == null || q.getValue().isNaN()) {
                throw new IllegalArgumentException("point " + scheduleId + ": measure "
                        + (m == null ? "null" : m.name()) + " has no value (" + q.getValue() + ")");
            }
            if (byName.put(m.name(), m) != null) {
                throw new IllegalArgumentException("point " + scheduleId + ": measure " + m.name()
                        + " given twice, with both directions");
            }
        }
        quality = Collections.unmodifiableMap(new LinkedHashMap<>(quality));
    }

    public static FrontierPoint of(String scheduleId, long macsPerImage) {
        return new FrontierPoint(scheduleId, macsPerImage, Map.of());
    }

    /** This point with one more measure (or a new value for one it has). */
    public FrontierPoint with(Measure measure, double value) {
        Map<Measure, Double> q = new LinkedHashMap<>(quality);
        q.put(measure, value);
        return new FrontierPoint(scheduleId, macsPerImage, q);
    }

    /** @throws IllegalArgumentException when this point was not measured on {@code measure} */
    public double value(Measure measure) {
        Double v = quality.get(measure);
        if (v == null) {
            throw new IllegalArgumentException("point " + scheduleId + " has no value for " + measure.name() + " ("
                    + measure.direction() + "); it has " + quality.keySet());
        }
        return v;
    }
}
