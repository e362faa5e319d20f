package io.c2f.agent.link;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Reconnect delays: exponential growth capped at {@code max}, with "full jitter" (a uniform draw
 * in [0, cap]) so that a fleet that lost its broker at the same instant does not reconnect in
 * lock-step.
 */
public record Backoff(Duration initial, Duration max) {
    public Backoff {
        if (initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("initial backoff must be positive, got " + initial);
        }
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("max backoff " + max + " is below initial " + initial);
        }
    }

    public static Backoff defaults() {
        return new Backoff(Duration.ofMillis(500), Duration.ofSeconds(60));
    }

    /** Upper bound of the delay before attempt {@code attempt} (0-based). */
    public Duration cap(int attempt) {
        long base = initial.toMillis();
        int shift = Math.min(Math.max(attempt, 0), 30);
        long grown = base << shift;
        if (grown <= 0 || grown > max.toMillis()) {
            grown = max.toMillis();
        }
        return Duration.ofMillis(grown);
    }

    /** The delay before attempt {@code attempt}: uniform in [initial/2, cap(attempt)]. */
    public Duration delay(int attempt, RandomGenerator random) {
        long cap = cap(attempt).toMillis();
        long floor = Math.min(initial.toMillis() / 2, cap);
        return Duration.ofMillis(floor + (cap > floor ? random.nextLong(cap - floor + 1) : 0));
    }
}
