package io.c2f.controller.retune;

/**
 * How the retuner judges latency.
 *
 * @param windowSamples the latency window holds a device's last this many generations...
 * @param windowMs ...none older than this
 * @param minSamples generations of the current schedule needed before judging it
 * @param upgradeMargin a better schedule must be predicted this fraction below target (0.2 = 20%)...
 * @param upgradeSustainMs ...continuously for this long before the device moves to it
 * @param minDwellMs no change sooner than this after the previous one
 * @param evaluateEveryMs how often devices with a target are re-evaluated
 * @param historyRetentionMs per-minute latency history older than this is deleted
 */
public record RetuneSettings(int windowSamples, long windowMs, int minSamples, double upgradeMargin,
                             long upgradeSustainMs, long minDwellMs, long evaluateEveryMs, long historyRetentionMs) {
    public RetuneSettings {
        if (windowSamples < 1 || windowMs < 1000) {
            throw new IllegalArgumentException("window must be >= 1 sample and >= 1 s");
        }
        if (minSamples < 1 || minSamples > windowSamples) {
            throw new IllegalArgumentException("minSamples must be 1.." + windowSamples + ", got " + minSamples);
        }
        if (!(upgradeMargin >= 0 && upgradeMargin < 1)) {
            throw new IllegalArgumentException("upgradeMargin must be in [0, 1), got " + upgradeMargin);
        }
        if (upgradeSustainMs < 0 || minDwellMs < 0 || evaluateEveryMs < 10 || historyRetentionMs < 60_000) {
            throw new IllegalArgumentException("durations out of range: sustain " + upgradeSustainMs + ", dwell "
                    + minDwellMs + ", evaluate " + evaluateEveryMs + ", retention " + historyRetentionMs);
        }
    }

    /**
     * Last 200 generations within 5 minutes, 20 needed, 20% margin sustained 2 minutes, 1 minute
     * dwell, evaluated every 10 s, 7 days of history.
     */
    public static RetuneSettings defaults() {
        return new RetuneSettings(200, 300_000, 20, 0.20, 120_000, 60_000, 10_000, 7L * 24 * 3600_000);
    }

    public RetuneSettings withTiming(int minSamples, long upgradeSustainMs, long minDwellMs, long evaluateEveryMs) {
        return new RetuneSettings(windowSamples, windowMs, minSamples, upgradeMargin, upgradeSustainMs, minDwellMs,
                evaluateEveryMs, historyRetentionMs);
    }
}
