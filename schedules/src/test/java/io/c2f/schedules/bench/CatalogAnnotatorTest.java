package io.c2f.schedules.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.models.c2f.C2fPlan;
import io.c2f.models.quality.DetailRatio;
import io.c2f.models.tensor.Resolution;
import io.c2f.proto.v1.Provenance;
import io.c2f.proto.v1.SampleQuality;
import io.c2f.proto.v1.SearchMethod;
import io.c2f.schedules.Baselines;
import io.c2f.schedules.Schedule;
import io.c2f.schedules.ScheduleJson;
import io.c2f.schedules.trd.ReferenceFidelity.Fidelity;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatalogAnnotatorTest {
    private static final QualityScorer.Scores SCORES = new QualityScorer.Scores(new Fidelity(0.01, 26, 1000),
            1.25, new DetailRatio(0.6, 0.55));

    @Test
    void theScoredPlansFileGetsTheMeasuresAndKeepsEverythingElse(@TempDir Path dir) throws Exception {
        C2fPlan plan = Baselines.uniform(10, 1000, Resolution.square(32), 0f);
        Provenance prov = Provenance.newBuilder().setMethod(SearchMethod.SEARCH_METHOD_UNIFORM).setHeldoutLoss(0.0123)
                .setMacsPerImage(1000).setNotes("kept").build();
        ScheduleJson.write(dir, new Schedule("uniform-k10-full", plan, prov));
        CatalogAnnotator a = new CatalogAnnotator(dir, 0.66, 66.5, 149, 5_000_000L, "emoji heldout-32x32 (149 images)");

        assertEquals(dir.resolve("uniform-k10-full.json"), a.annotate("uniform-k10-full", plan, SCORES).orElseThrow());
        Schedule back = ScheduleJson.read(dir.resolve("uniform-k10-full.json"));
        assertEquals(plan, back.plan());
        assertEquals(prov, back.provenance().toBuilder().clearSampleQuality().build());
        SampleQuality q = back.provenance().getSampleQuality();
        assertEquals(1.25, q.getShapeDetailFrechet());
        assertEquals(0.66, q.getShapeDetailFrechetFloor());
        assertEquals(66.5, q.getShapeDetailFrechetCeiling());
        assertEquals(0.6, q.getLaplacianRatio());
        assertEquals(0.55, q.getBandEnergyRatio());
        assertEquals(149, q.getSamples());
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file is left beside the catalog file");
        }
    }

    @Test
    void aFileHoldingAnotherPlanOrNoFileIsLeftAlone(@TempDir Path dir) throws Exception {
        C2fPlan onFile = Baselines.uniform(10, 1000, Resolution.square(32), 0f);
        Path file = ScheduleJson.write(dir, new Schedule("trd-k10-full", onFile, Provenance.getDefaultInstance()));
        String before = Files.readString(file);
        CatalogAnnotator a = new CatalogAnnotator(dir, 0.66, 66.5, 149, 5_000_000L, "real");

        assertFalse(a.annotate("trd-k10-full", Baselines.quadratic(10, 1000, Resolution.square(32), 0f), SCORES)
                .isPresent());
        assertEquals(before, Files.readString(file));
        assertFalse(a.annotate("trd-k12-full", onFile, SCORES).isPresent());
        assertTrue(Files.notExists(dir.resolve("trd-k12-full.json")));
    }
}
