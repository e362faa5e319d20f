package io.c2f.controller.rollout;

/**
 * How the rollout driver paces itself.
 *
 * @param tickMs how often leases are renewed and rollouts re-examined (timeouts, offline devices)
 * @param leaseMs how long a lease lasts without renewal; another controller takes over after it
 * @param resendMs a job sent but not started by its device after this long is sent again
 * @param chunksInFlight bundle chunks published and not yet acknowledged by the broker, fleet-wide
 */
public record RolloutSettings(long tickMs, long leaseMs, long resendMs, int chunksInFlight) {
    public RolloutSettings {
        if (tickMs < 10 || leaseMs < 2 * tickMs || resendMs < tickMs || chunksInFlight < 1) {
            throw new IllegalArgumentException("rollout settings need tickMs >= 10, leaseMs >= 2 * tickMs, "
                    + "resendMs >= tickMs, chunksInFlight >= 1; got " + tickMs + ", " + leaseMs + ", " + resendMs
                    + ", " + chunksInFlight);
        }
    }

    public static RolloutSettings defaults() {
        return new RolloutSettings(1000, 15_000, 30_000, 32);
    }
}
