package io.c2f.agent.bundle;

import java.time.Clock;
import java.time.Duration;

/**
 * The time limits of one install job. The job's own timeout does not run while the job waits out
 * a broker outage (the device cannot make progress then, and the controller cannot hear it).
 * Those pauses are bounded by the download patience, summed over the job, and each one by the
 * job's step timeout: the controller times out a job it has heard nothing from for that long, and
 * a device that went on to install it would run a bundle the controller has given up on.
 */
final class JobClock {
    private final Clock clock;
    private final Duration timeout;
    private final Duration patience;
    private final long startedMs;
    private long pausedMs;
    private int pauses;

    /**
     * @param timeout the job's timeout, zero for none
     * @param patience the most time the job may spend paused, all outages together
     */
    JobClock(Clock clock, Duration timeout, Duration patience) {
        this.clock = clock;
        this.timeout = timeout;
        this.patience = patience;
        this.startedMs = clock.millis();
    }

    /** Whether the job ran longer than its timeout, pauses not counted. */
    boolean expired() {
        return !timeout.isZero() && clock.millis() - startedMs - pausedMs > timeout.toMillis();
    }

    Duration timeout() {
        return timeout;
    }

    Duration patience() {
        return patience;
    }

    /** Patience not used yet (zero when spent). */
    Duration patienceLeft() {
        return Duration.ofMillis(Math.max(0, patience.toMillis() - pausedMs));
    }

    /** How long the next pause may last: what is left of the patience, at most the step timeout. */
    Duration pauseLimit() {
        Duration left = patienceLeft();
        return timeout.isZero() || left.compareTo(timeout) <= 0 ? left : timeout;
    }

    /** Whether {@link #pauseLimit} is the step timeout rather than the patience. */
    boolean pauseLimitedByTimeout() {
        return !timeout.isZero() && timeout.compareTo(patienceLeft()) < 0;
    }

    /** Records one pause of the job. */
    void paused(Duration d) {
        pausedMs += d.toMillis();
        pauses++;
    }

    Duration pausedTotal() {
        return Duration.ofMillis(pausedMs);
    }

    int pauses() {
        return pauses;
    }
}
