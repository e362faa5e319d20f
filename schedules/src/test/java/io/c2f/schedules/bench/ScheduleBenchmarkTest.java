package io.c2f.schedules.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ScheduleBenchmarkTest {
    @Test
    void kListsAreRangesOrCommaListsWithoutRepeats() {
        assertArrayEquals(new int[] {3, 4, 5, 6}, ScheduleBenchmark.parseKs("3-6"));
        assertArrayEquals(new int[] {4, 6, 8, 10, 15, 20}, ScheduleBenchmark.parseKs("4,6,8,10,15,20"));
        // a repeated K would be a second point with the same schedule id on the frontier
        assertArrayEquals(new int[] {4, 6}, ScheduleBenchmark.parseKs("4,6,4"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ScheduleBenchmark.parseKs("3,4,...,20"));
        assertTrue(e.getMessage().contains("3,4,...,20") && e.getMessage().contains("3-20"), e.getMessage());
    }
}
