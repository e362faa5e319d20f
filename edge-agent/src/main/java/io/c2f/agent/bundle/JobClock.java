package io.c2f.agent.bundle;

import java.time.Clock;
import java.time.Duration;

/**
 * The time limits of one install job. The job's own timeout does not run while the job waits out
 * a broker outage (the device cannot make progress then, and the controller cannot hear it);
 * those pauses are bounded by the download patience instead, summed over the job.
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
