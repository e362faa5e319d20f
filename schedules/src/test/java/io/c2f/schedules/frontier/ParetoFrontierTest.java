package io.c2f.schedules.frontier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ParetoFrontierTest {
    private static final Measure PSNR = Measure.higherIsBetter("PSNR dB");
    private static final Measure MSE = Measure.lowerIsBetter("MSE");

    private static FrontierPoint psnr(String id, long macs, double db) {
        return FrontierPoint.of(id, macs).with(PSNR, db);
    }

    private static List<String> optimalIds(ParetoFrontier f) {
        return f.optimal().stream().map(FrontierPoint::scheduleId).toList();
    }

    @Test
    void aCheaperBetterPointDominatesAndTheOptimalOnesComeByMacs() {
        ParetoFrontier f = ParetoFrontier.of(PSNR, List.of(psnr("k20", 200, 25), psnr("c2f-k10", 150, 19),
                psnr("k10", 100, 20), psnr("k40", 400, 24.9)));
        assertEquals(List.of("k10", "k20"), optimalIds(f));
        assertEquals(Optional.of("k10"), f.dominator("c2f-k10").map(FrontierPoint::scheduleId));
        assertEquals(Optional.of("k20"), f.dominator("k40").map(FrontierPoint::scheduleId));
        assertTrue(f.isOptimal("k20"));
        // of two equally good cheaper dominators, the cheapest is named
        ParetoFrontier tie = ParetoFrontier.of(PSNR, List.of(psnr("k10", 100, 20), psnr("k10-late", 120, 20),
                psnr("c2f-k10", 150, 19)));
        assertEquals("k10", tie.dominator("c2f-k10").orElseThrow().scheduleId());
    }

    @Test
    void lowerIsBetterMeasuresPointTheOtherWay() {
        List<FrontierPoint> pts = List.of(new FrontierPoint("a", 100, java.util.Map.of(MSE, 0.02)),
                new FrontierPoint("b", 200, java.util.Map.of(MSE, 0.03)),
                new FrontierPoint("c", 300, java.util.Map.of(MSE, 0.01)));
        assertEquals(List.of("a", "c"), optimalIds(ParetoFrontier.of(MSE, pts)));
    }

    @Test
    void equalMacsAndEqualQualityAreBothOptimal() {
        ParetoFrontier f = ParetoFrontier.of(PSNR, List.of(psnr("x", 100, 20), psnr("y", 100, 20), psnr("z", 50, 10)));
        assertEquals(List.of("z", "x", "y"), optimalIds(f));
        // -0.0 and 0.0 are the same quality
        ParetoFrontier zeros = ParetoFrontier.of(PSNR, List.of(psnr("p", 1, 0.0), psnr("n", 1, -0.0)));
        assertEquals(2, zeros.optimal().size());
    }

    @Test
    void equalMacsTheBetterQualityDominates() {
        ParetoFrontier f = ParetoFrontier.of(PSNR, List.of(psnr("worse", 100, 19.99), psnr("better", 100, 20)));
        assertEquals(List.of("better"), optimalIds(f));
        assertEquals("better", f.dominator("worse").orElseThrow().scheduleId());
    }

    @Test
    void equalQualityTheCheaperDominates() {
        ParetoFrontier f = ParetoFrontier.of(PSNR, List.of(psnr("dear", 101, 20), psnr("cheap", 100, 20)));
        assertEquals(List.of("cheap"), optimalIds(f));
        assertEquals("cheap", f.dominator("dear").orElseThrow().scheduleId());
    }

    @Test
    void aSinglePointIsTheFrontierAndNoPointsNone() {
        assertEquals(List.of("only"), optimalIds(ParetoFrontier.of(PSNR, List.of(psnr("only", 0, -3)))));
        assertEquals(List.of(), ParetoFrontier.of(PSNR, List.of()).optimal());
    }

    @Test
    void invalidInputIsRefusedNamingThePoint() {
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> psnr("trd-k7", 10, Double.NaN));
        assertTrue(nan.getMessage().contains("trd-k7") && nan.getMessage().contains("PSNR dB"), nan.getMessage());
        IllegalArgumentException neg = assertThrows(IllegalArgumentException.class, () -> psnr("trd-k8", -1, 20));
        assertTrue(neg.getMessage().contains("trd-k8") && neg.getMessage().contains("-1"), neg.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> ParetoFrontier.of(MSE, List.of(psnr("trd-k9", 10, 20))));
        assertTrue(missing.getMessage().contains("trd-k9") && missing.getMessage().contains("MSE"),
                missing.getMessage());
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> ParetoFrontier.of(PSNR, List.of(psnr("dup", 10, 20), psnr("dup", 20, 21))));
        assertTrue(twice.getMessage().contains("dup"), twice.getMessage());
        IllegalArgumentException bothWays = assertThrows(IllegalArgumentException.class,
                () -> psnr("two", 1, 20).with(Measure.lowerIsBetter("PSNR dB"), 3));
        assertTrue(bothWays.getMessage().contains("two"), bothWays.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ParetoFrontier.of(PSNR, List.of()).dominator("absent"));
    }

    @Test
    void theSweepAgreesWithThePairwiseRuleOnRandomPointsWithTies() {
        Random rnd = new Random(7);
        for (int round = 0; round < 200; round++) {
            List<FrontierPoint> pts = new ArrayList<>();
            int n = 1 + rnd.nextInt(12);
            for (int i = 0; i < n; i++) {
                // few distinct values, so equal MACs and equal quality are common
                pts.add(psnr("p" + i, rnd.nextInt(5) * 100L, rnd.nextInt(4)));
            }
            ParetoFrontier f = ParetoFrontier.of(PSNR, pts);
            for (FrontierPoint p : pts) {
                boolean dominated = pts.stream().anyMatch(o -> ParetoFrontier.dominates(PSNR, o, p));
                assertEquals(dominated, !f.isOptimal(p.scheduleId()), "round " + round + ": " + p + " in " + pts);
                f.dominator(p.scheduleId()).ifPresent(d -> assertTrue(ParetoFrontier.dominates(PSNR, d, p),
                        d + " does not dominate " + p));
            }
        }
    }

    @Test
    void theTableIsSortedByMacsWithAMarkPerMeasure() {
        Measure distance = Measure.lowerIsBetter("detail distance");
        List<FrontierPoint> pts = List.of(psnr("b", 200, 25).with(distance, 0.5),
                psnr("a", 100, 20).with(distance, 0.1), psnr("c", 150, 19).with(distance, 0.4));
        String table = FrontierTable.markdown(pts, List.of(new FrontierTable.Column(PSNR, "%.2f"),
                new FrontierTable.Column(distance, "%.3f")));
        assertEquals("""
                | schedule | MACs/image | PSNR dB (higher is better) | detail distance (lower is better) |
                |---|---|---|---|
                | a | 100 | 20.00 * | 0.100 * |
                | c | 150 | 19.00 | 0.400 |
                | b | 200 | 25.00 * | 0.500 |
                """, table);
        assertFalse(FrontierTable.markdown(pts, List.of()).contains("*"));
    }

    @Test
    void aRatioToRealImagesIsBestAtOneFromEitherSide() {
        // a sampler that adds noise real images lack (ratio above 1) is no better than one that misses
        // the same share of detail: 1.3 is 0.3 away, 0.8 only 0.2
        Measure ratio = Measure.closerToOneIsBetter("Laplacian ratio");
        List<FrontierPoint> pts = List.of(FrontierPoint.of("noisy", 100).with(ratio, 1.3),
                FrontierPoint.of("sharp", 150).with(ratio, 0.8),
                FrontierPoint.of("blurry", 200).with(ratio, 0.6),
                FrontierPoint.of("best", 300).with(ratio, 1.05));
        ParetoFrontier f = ParetoFrontier.of(ratio, pts);
        assertEquals(List.of("noisy", "sharp", "best"), optimalIds(f));
        assertEquals(Optional.of("sharp"), f.dominator("blurry").map(FrontierPoint::scheduleId));
        assertTrue(FrontierTable.markdown(pts, List.of(new FrontierTable.Column(ratio, "%.2f")))
                .contains("| Laplacian ratio (closer to 1 is better) |"));
    }
}
