package io.c2f.agent.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BackoffTest {
    private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));

    @Test
    void capGrowsExponentiallyUpToTheMax() {
        assertEquals(100, backoff.cap(0).toMillis());
        assertEquals(200, backoff.cap(1).toMillis());
        assertEquals(3200, backoff.cap(5).toMillis());
        assertEquals(5000, backoff.cap(6).toMillis());
        assertEquals(5000, backoff.cap(1000).toMillis());
    }

    @Test
    void delaysAreJitteredWithinBounds() {
        SplittableRandom random = new SplittableRandom(1);
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            long d = backoff.delay(8, random).toMillis();
            assertTrue(d >= 50 && d <= 5000, "delay " + d);
            seen.add(d);
        }
        assertTrue(seen.size() > 50, "delays should spread, got " + seen.size() + " distinct values");
    }

    @Test
    void badBoundsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
    }
}
