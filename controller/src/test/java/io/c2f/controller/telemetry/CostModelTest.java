package io.c2f.controller.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CostModelTest {
    private static final double LOW = 11.5;
    private static final double HIGH = 43.0;
    private static final double SWITCH_ENCODE = 17.0;

    private static GenerationSample sample(Random rnd, long at, int low, int high, double noise) {
        double lowMs = low * LOW * (1 + noise * rnd.nextGaussian());
        double highMs = high * HIGH * (1 + noise * rnd.nextGaussian());
        double total = lowMs + highMs + SWITCH_ENCODE * (1 + noise * rnd.nextGaussian());
        return new GenerationSample(at, "s" + low + "-" + high, low, high, Math.max(0, lowMs), Math.max(0, highMs),
                Math.max(0, total));
    }

    @Test
    void recoversPerStepCostsFromSeveralSchedules() {
        Random rnd = new Random(7);
        int[][] schedules = {{0, 20}, {8, 8}, {6, 4}, {4, 2}};
        List<GenerationSample> s = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            int[] k = schedules[i % schedules.length];
            s.add(sample(rnd, i, k[0], k[1], 0.05));
        }
        CostModel m = CostModel.fit(s);
        System.out.printf("cost model (4 schedules, 5%% noise): low %.3f ms/step (true %.1f), high %.3f (true %.1f), "
                + "overhead %.2f (true %.1f), rms %.2f ms%n", m.lowStepMs(), LOW, m.highStepMs(), HIGH, m.overheadMs(),
                SWITCH_ENCODE, m.rmsResidualMs());
        assertEquals(LOW, m.lowStepMs(), LOW * 0.03);
        assertEquals(HIGH, m.highStepMs(), HIGH * 0.03);
        assertEquals(SWITCH_ENCODE, m.overheadMs(), 6.0);
        assertEquals(SWITCH_ENCODE + 6 * LOW + 4 * HIGH, m.predictMs(6, 4, 1), 0.03 * (6 * LOW + 4 * HIGH) + 6);
    }

    @Test
    void exactWithoutNoise() {
        Random rnd = new Random(1);
        List<GenerationSample> s = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            s.add(sample(rnd, i, 2 + i % 5, 3 + (i * 7) % 11, 0));
        }
        CostModel m = CostModel.fit(s);
        assertEquals(LOW, m.lowStepMs(), 1e-9);
        assertEquals(HIGH, m.highStepMs(), 1e-9);
        assertEquals(SWITCH_ENCODE, m.overheadMs(), 1e-9);
        assertEquals(0, m.rmsResidualMs(), 1e-9);
    }

    @Test
    void oneScheduleGivesPerStepCostsThroughTheOrigin() {
        Random rnd = new Random(3);
        List<GenerationSample> s = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            s.add(sample(rnd, i, 6, 4, 0.05));
        }
        CostModel m = CostModel.fit(s);
        assertEquals(LOW, m.lowStepMs(), LOW * 0.03);
        assertEquals(HIGH, m.highStepMs(), HIGH * 0.03);
        assertEquals(SWITCH_ENCODE, m.overheadMs(), 2.0);
    }

    @Test
    void aPhaseNeverRunIsUnknownAndDerivedFromTheCostRatio() {
        Random rnd = new Random(5);
        List<GenerationSample> s = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            s.add(sample(rnd, i, 0, 10, 0.0));
        }
        CostModel m = CostModel.fit(s);
        assertFalse(m.knowsLowSteps());
        assertTrue(m.knowsHighSteps());
        assertEquals(SWITCH_ENCODE + 4 * HIGH * 0.25 + 2 * HIGH, m.predictMs(4, 2, 0.25), 1e-9);
    }

    @Test
    void windowKeepsTheLastSamplesAndBucketsMinutes() {
        DeviceLatency d = new DeviceLatency("d", 10, 60_000);
        MinuteBucket closed = null;
        for (int i = 0; i < 30; i++) {
            MinuteBucket b = d.add(new GenerationSample(1_000L * i * 5, "s", 0, 1, 0, i, i + 1));
            if (b != null) {
                closed = b;
            }
        }
        // 5 s apart: samples 0..11 are minute 0, 12..23 minute 1, 24..29 minute 2
        assertEquals(12, closed.count());
        assertEquals(60_000L, closed.minuteMs());
        assertEquals(10, d.recent(150_000).size());
        Percentiles p = d.percentiles(150_000, null);
        assertEquals(30.0, p.max());
        assertEquals(30.0, p.p95()); // nearest rank of 10 values: the 10th
        assertEquals(25.0, p.p50());
        assertEquals(2, d.recent(200_000).size());
    }
}
