package io.c2f.controller.telemetry;

/**
 * The generations of one device in one minute (history for charts).
 *
 * @param minuteMs start of the minute, epoch ms
 */
public record MinuteBucket(String deviceId, long minuteMs, long count, double totalSumMs, double totalMaxMs,
                           double lowSumMs, double highSumMs, double p50Ms, double p95Ms, double p99Ms) {

    public double meanMs() {
        return count == 0 ? Double.NaN : totalSumMs / count;
    }
}
