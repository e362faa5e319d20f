package io.c2f.controller.telemetry;

import java.util.List;

/**
 * A device's learned cost of a generation: {@code overhead + stepsLow * lowStepMs + stepsHigh *
 * highStepMs}, fitted by least squares on recent generations ({@link #fit}).
 *
 * <p>Each phase is fitted on its own ({@code lowMs ~ a + c * stepsLow}, the same for high), with
 * an intercept when the step counts in the window vary and through the origin when they do not
 * (a device that ran one schedule only: its per-step cost is then the phase time divided by its
 * steps). Intercepts and the unattributed time (switch, encode) form the overhead.
 *
 * @param lowStepMs milliseconds per low-resolution step; NaN when no sample ran low steps
 * @param highStepMs milliseconds per full-resolution step; NaN when no sample ran high steps
 * @param overheadMs fixed milliseconds per image
 * @param samples generations the fit used
 * @param rmsResidualMs root mean square error of the fitted total against the observed totals
 */
public record CostModel(double lowStepMs, double highStepMs, double overheadMs, int samples, double rmsResidualMs) {

    public boolean knowsLowSteps() {
        return !Double.isNaN(lowStepMs);
    }

    public boolean knowsHighSteps() {
        return !Double.isNaN(highStepMs);
    }

    /**
     * Predicted mean milliseconds of a schedule; a missing per-step cost is derived from the known
     * one times {@code lowToHighCostRatio} (e.g. the model's MACs at low / high resolution).
     */
    public double predictMs(int stepsLow, int stepsHigh, double lowToHighCostRatio) {
        double low = lowStepMs;
        double high = highStepMs;
        if (Double.isNaN(low)) {
            low = high * lowToHighCostRatio;
        }
        if (Double.isNaN(high)) {
            high = low / lowToHighCostRatio;
        }
        return overheadMs + (stepsLow == 0 ? 0 : stepsLow * low) + (stepsHigh == 0 ? 0 : stepsHigh * high);
    }

    /** Fits on the samples; needs at least one. */
    public static CostModel fit(List<GenerationSample> samples) {
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("a cost model needs at least one generation");
        }
        Line low = Line.fit(samples, true);
        Line high = Line.fit(samples, false);
        double unattributed = 0;
        for (GenerationSample s : samples) {
            unattributed += s.overheadMs();
        }
        unattributed /= samples.size();
        double overhead = unattributed + (Double.isNaN(low.intercept) ? 0 : low.intercept)
                + (Double.isNaN(high.intercept) ? 0 : high.intercept);
        CostModel m = new CostModel(low.slope, high.slope, overhead, samples.size(), 0);
        double sq = 0;
        for (GenerationSample s : samples) {
            double e = m.predictMs(s.stepsLow(), s.stepsHigh(), 1) - s.totalMs();
            sq += e * e;
        }
        return new CostModel(low.slope, high.slope, overhead, samples.size(), Math.sqrt(sq / samples.size()));
    }

    /** Least squares of phase millis on phase steps. */
    private record Line(double slope, double intercept) {
        static Line fit(List<GenerationSample> samples, boolean lowPhase) {
            double n = 0;
            double sx = 0;
            double sy = 0;
            double sxx = 0;
            double sxy = 0;
            for (GenerationSample s : samples) {
                double x = lowPhase ? s.stepsLow() : s.stepsHigh();
                double y = lowPhase ? s.lowMs() : s.highMs();
                if (x == 0) {
                    continue; // the phase did not run: says nothing about its per-step cost
                }
                n++;
                sx += x;
                sy += y;
                sxx += x * x;
                sxy += x * y;
            }
            if (n == 0) {
                return new Line(Double.NaN, Double.NaN);
            }
            double varX = sxx / n - (sx / n) * (sx / n);
            // relative variance: step counts of a few schedules differ by whole steps
            if (n >= 3 && varX > 0.25) {
                double slope = (sxy - sx * sy / n) / (sxx - sx * sx / n);
                double intercept = (sy - slope * sx) / n;
                if (slope > 0 && intercept >= 0) {
                    return new Line(slope, intercept);
                }
                // a negative intercept or slope is noise: fall back to the physical model through 0
            }
            return new Line(sxy / sxx, 0);
        }
    }
}
