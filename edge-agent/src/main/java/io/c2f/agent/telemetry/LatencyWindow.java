package io.c2f.agent.telemetry;

import io.c2f.proto.v1.IntervalAggregate;
import java.util.Arrays;

/** Collects generation latencies of one interval and summarises them (nearest-rank percentiles). */
public final class LatencyWindow {
    private double[] samples = new double[64];
    private int count;
    private long failures;
    private long windowStart;

    public LatencyWindow(long startMs) {
        this.windowStart = startMs;
    }

    public synchronized void record(double millis) {
        if (count == samples.length) {
            samples = Arrays.copyOf(samples, count * 2);
        }
        samples[count++] = millis;
    }

    public synchronized void recordFailure() {
        failures++;
    }

    /** The aggregate of the interval ending now, then starts a new interval. Empty intervals give count 0. */
    public synchronized IntervalAggregate roll(long nowMs, String scheduleId) {
        double[] sorted = Arrays.copyOf(samples, count);
        Arrays.sort(sorted);
        IntervalAggregate.Builder a = IntervalAggregate.newBuilder().setWindowStartMs(windowStart).setWindowEndMs(nowMs)
                .setCount(count).setFailures(failures).setScheduleId(scheduleId);
        if (count > 0) {
            a.setP50Millis(rank(sorted, 0.50)).setP95Millis(rank(sorted, 0.95)).setP99Millis(rank(sorted, 0.99))
                    .setMeanMillis(Arrays.stream(sorted).average().orElse(0)).setMaxMillis(sorted[count - 1]);
        }
        count = 0;
        failures = 0;
        windowStart = nowMs;
        return a.build();
    }

    static double rank(double[] sorted, double q) {
        int idx = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
    }
}
