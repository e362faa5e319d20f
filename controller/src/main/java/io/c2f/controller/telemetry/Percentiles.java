package io.c2f.controller.telemetry;

import java.util.Arrays;

/** p50 / p95 / p99 by the nearest-rank method (always a value that was observed). */
public record Percentiles(int count, double p50, double p95, double p99, double mean, double max) {
    public static final Percentiles EMPTY = new Percentiles(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
            Double.NaN);

    public static Percentiles of(double[] values) {
        if (values.length == 0) {
            return EMPTY;
        }
        double[] v = values.clone();
        Arrays.sort(v);
        double sum = 0;
        for (double x : v) {
            sum += x;
        }
        return new Percentiles(v.length, rank(v, 0.50), rank(v, 0.95), rank(v, 0.99), sum / v.length,
                v[v.length - 1]);
    }

    private static double rank(double[] sorted, double q) {
        int r = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, r - 1))];
    }
}
