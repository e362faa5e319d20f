package io.c2f.controller.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.models.c2f.C2fPlan;
import io.c2f.models.tensor.Resolution;
import io.c2f.schedules.rank.RankCurve;
import io.c2f.schedules.rank.RankPoint;
import io.c2f.schedules.rank.RankReport;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RankDataTest {
    /** A full-resolution curve whose x0 rank falls to its minimum at step 6 of 10 and stays there one step. */
    static String report() {
        int[] ranks = {30, 28, 24, 18, 12, 8, 5, 5, 9, 14};
        List<RankPoint> full = new ArrayList<>();
        List<RankPoint> c2f = new ArrayList<>();
        for (int i = 0; i < ranks.length; i++) {
            int t = 999 - i * 100;
            full.add(new RankPoint(i, t, new Resolution(32, 32), ranks[i], ranks[i] + 2, 31, 31));
            c2f.add(new RankPoint(i, t, new Resolution(i < 4 ? 16 : 32, i < 4 ? 16 : 32), ranks[i] + 1, ranks[i] + 3, 30, 31));
        }
        return RankReport.csv(List.of(new RankCurve("full", (C2fPlan) null, 32, full),
                new RankCurve("c2f", (C2fPlan) null, 32, c2f)));
    }

    @Test
    void readsTheSchedulesToolCsvAndRecommendsTheRankRulesSwitch() {
        RankData d = RankData.parse(report(), null);
        assertEquals(2, d.curves().size());
        assertEquals("full", d.curves().get(0).label());
        assertEquals(10, d.curves().get(0).points().size());
        assertEquals(new Resolution(16, 16), d.curves().get(1).points().get(0).resolution());
        // the minimum (5) is held at steps 6 and 7: the switch is the step after, index 8, t = 199
        assertEquals(199, d.switchTimestep());
        assertEquals("RECOMMENDED", d.switchSource());
        assertEquals(199, d.toJson().getInteger("switchTimestep"));
    }

    @Test
    void aGivenSwitchIsKeptWhenInsideTheCurve() {
        RankData d = RankData.parse(report(), 500);
        assertEquals(500, d.switchTimestep());
        assertEquals("GIVEN", d.switchSource());
        ModelException e = assertThrows(ModelException.class, () -> RankData.parse(report(), 5000));
        assertTrue(e.getMessage().contains("outside the report's time steps [99, 999]"), e.getMessage());
    }

    @Test
    void aFlatCurveMarksNoSwitch() {
        String csv = RankData.HEADER + "\nfull,0,999,32x32,31,31,31,31,32\nfull,1,500,32x32,30,31,31,31,32\n"
                + "full,2,0,32x32,31,31,31,31,32\n";
        RankData d = RankData.parse(csv, null);
        assertNull(d.switchTimestep());
        assertEquals("FLAT", d.switchSource());
    }

    @Test
    void badReportsNameTheLineAndColumn() {
        assertTrue(assertThrows(ModelException.class, () -> RankData.parse("a,b\n1,2", null)).getMessage()
                .contains("line 1 must be the header"));
        assertTrue(assertThrows(ModelException.class, () -> RankData.parse(RankData.HEADER + "\nfull,0,x,32x32,1,1,1,1,32", null))
                .getMessage().contains("line 2: timestep must be a non-negative integer, got 'x'"));
        assertTrue(assertThrows(ModelException.class, () -> RankData.parse(RankData.HEADER + "\nfull,0,9,32by32,1,1,1,1,32", null))
                .getMessage().contains("line 2: resolution must look like 32x32"));
        assertTrue(assertThrows(ModelException.class, () -> RankData.parse(RankData.HEADER + "\nfull,0,9", null))
                .getMessage().contains("line 2 has 3 fields, expected 9"));
        assertTrue(assertThrows(ModelException.class, () -> RankData.parse(RankData.HEADER + "\n", null))
                .getMessage().contains("no rows"));
        assertTrue(assertThrows(ModelException.class, () -> RankData.parse("", null)).getMessage().contains("empty"));
    }
}
