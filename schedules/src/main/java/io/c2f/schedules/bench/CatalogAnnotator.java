package io.c2f.schedules.bench;

import io.c2f.models.c2f.C2fPlan;
import io.c2f.proto.v1.SampleQuality;
import io.c2f.schedules.Schedule;
import io.c2f.schedules.ScheduleJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Writes what the benchmark measured on a schedule's samples (shape/detail Fréchet with its floor and
 * ceiling, detail ratios) into that schedule's catalog file, so the controller and its dashboard can
 * show them. Only a file whose plan is the plan that was scored is touched; everything else in it
 * (provenance, losses, notes) stays as it was.
 */
record CatalogAnnotator(Path catalog, double floor, double ceiling, int samples, long sampleSeedFirst,
                        String realImages) {

    /** Annotates {@code catalog/<id>.json}; empty where the catalog has no such file or it holds another plan. */
    Optional<Path> annotate(String id, C2fPlan scored, QualityScorer.Scores scores) {
        Path file = catalog.resolve(id + ".json");
        if (scores.detail() == null || !Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Schedule s = ScheduleJson.read(file);
        if (!s.plan().equals(scored)) {
            return Optional.empty();
        }
        SampleQuality q = SampleQuality.newBuilder().setShapeDetailFrechet(scores.shapeDetailFrechet())
                .setShapeDetailFrechetFloor(floor).setShapeDetailFrechetCeiling(ceiling)
                .setLaplacianRatio(scores.detail().laplacianRatio())
                .setBandEnergyRatio(scores.detail().highFrequencyRatio()).setSamples(samples)
                .setSampleSeedFirst(sampleSeedFirst).setRealImages(realImages).build();
        return Optional.of(ScheduleJson.write(catalog, s.withProvenance(s.provenance().toBuilder()
                .setSampleQuality(q).build())));
    }
}
