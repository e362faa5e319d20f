package io.c2f.controller.telemetry;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The latency state of one device: a sliding window of its most recent generations (at most
 * {@code maxSamples}, none older than {@code maxAgeMs}) for percentiles and the cost model, and
 * the generations of the minute in progress for the history. Not thread-safe: one owner (an
 * event loop).
 */
public final class DeviceLatency {
    private final String deviceId;
    private final int maxSamples;
    private final long maxAgeMs;
    private final Deque<GenerationSample> window = new ArrayDeque<>();
    private long minuteMs = -1;
    private final List<GenerationSample> minute = new ArrayList<>();

    public DeviceLatency(String deviceId, int maxSamples, long maxAgeMs) {
        if (maxSamples < 1 || maxAgeMs < 1) {
            throw new IllegalArgumentException("window must hold >= 1 sample for >= 1 ms, got " + maxSamples
                    + " samples, " + maxAgeMs + " ms");
        }
        this.deviceId = deviceId;
        this.maxSamples = maxSamples;
        this.maxAgeMs = maxAgeMs;
    }

    /**
     * Adds a generation; returns the bucket of the previous minute when this one starts a new
     * minute (to be stored), else null.
     */
    public MinuteBucket add(GenerationSample s) {
        window.addLast(s);
        while (window.size() > maxSamples) {
            window.removeFirst();
        }
        long m = Math.floorDiv(s.atMs(), 60_000L) * 60_000L;
        MinuteBucket closed = null;
        if (m != minuteMs) {
            closed = currentBucket();
            minute.clear();
            minuteMs = m;
        }
        minute.add(s);
        return closed;
    }

    /** The minute in progress so far (null when empty): stored as is on shutdown or flush. */
    public MinuteBucket currentBucket() {
        if (minute.isEmpty()) {
            return null;
        }
        double[] totals = new double[minute.size()];
        double sum = 0;
        double max = 0;
        double low = 0;
        double high = 0;
        for (int i = 0; i < totals.length; i++) {
            GenerationSample s = minute.get(i);
            totals[i] = s.totalMs();
            sum += s.totalMs();
            max = Math.max(max, s.totalMs());
            low += s.lowMs();
            high += s.highMs();
        }
        Percentiles p = Percentiles.of(totals);
        return new MinuteBucket(deviceId, minuteMs, totals.length, sum, max, low, high, p.p50(), p.p95(), p.p99());
    }

    /** The window's samples still young enough at nowMs, oldest first. */
    public List<GenerationSample> recent(long nowMs) {
        while (!window.isEmpty() && nowMs - window.peekFirst().atMs() > maxAgeMs) {
            window.removeFirst();
        }
        return List.copyOf(window);
    }

    /** Percentiles of the total latency over the window; only of one schedule when scheduleId is set. */
    public Percentiles percentiles(long nowMs, String scheduleId) {
        return Percentiles.of(recent(nowMs).stream()
                .filter(s -> scheduleId == null || scheduleId.equals(s.scheduleId()))
                .mapToDouble(GenerationSample::totalMs).toArray());
    }

    /** Mean low / high phase times over the window. */
    public double[] phaseMeans(long nowMs) {
        List<GenerationSample> r = recent(nowMs);
        double low = 0;
        double high = 0;
        double over = 0;
        for (GenerationSample s : r) {
            low += s.lowMs();
            high += s.highMs();
            over += s.overheadMs();
        }
        int n = Math.max(1, r.size());
        return new double[] {low / n, high / n, over / n};
    }

    /** The cost model fitted on the window, or null without samples. */
    public CostModel costModel(long nowMs) {
        List<GenerationSample> r = recent(nowMs);
        return r.isEmpty() ? null : CostModel.fit(r);
    }

    /** The schedule of the latest generation, or null. */
    public String lastScheduleId() {
        return window.isEmpty() ? null : window.peekLast().scheduleId();
    }

    public String deviceId() {
        return deviceId;
    }
}
