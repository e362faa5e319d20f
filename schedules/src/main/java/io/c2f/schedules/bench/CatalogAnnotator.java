package io.c2f.schedules.bench;

import io.c2f.models.c2f.C2fPlan;
import io.c2f.models.image.ImageMetrics;
import io.c2f.models.quality.DetailRatio;
import io.c2f.proto.v1.SampleQuality;
import io.c2f.schedules.Schedule;
import io.c2f.schedules.ScheduleJson;
import io.c2f.schedules.trd.ReferenceFidelity.Fidelity;
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
        Optional<Schedule> onFile = scores.detail() == null ? Optional.empty() : holding(catalog, id, scored);
        if (onFile.isEmpty()) {
            return Optional.empty();
        }
        Schedule s = onFile.get();
        SampleQuality q = SampleQuality.newBuilder().setShapeDetailFrechet(scores.shapeDetailFrechet())
                .setShapeDetailFrechetFloor(floor).setShapeDetailFrechetCeiling(ceiling)
                .setLaplacianRatio(scores.detail().laplacianRatio())
                .setBandEnergyRatio(scores.detail().highFrequencyRatio()).setSamples(samples)
                .setSampleSeedFirst(sampleSeedFirst).setRealImages(realImages).build();
        return Optional.of(ScheduleJson.write(catalog, s.withProvenance(s.provenance().toBuilder()
                .setSampleQuality(q).build())));
    }

    /**
     * What an earlier run measured for this plan and wrote into {@code catalog/<id>.json}: the held-out
     * loss and MACs of its provenance (the same 64 held-out seeds and reference the benchmark uses) and its
     * sample quality. Empty where the file is missing, holds another plan, or lacks either.
     */
    static Optional<QualityScorer.Scores> stored(Path catalog, String id, C2fPlan plan) {
        Optional<Schedule> onFile = holding(catalog, id, plan);
        if (onFile.isEmpty()) {
            return Optional.empty();
        }
        Schedule s = onFile.get();
        if (!s.provenance().hasSampleQuality() || !(s.provenance().getHeldoutLoss() > 0)
                || s.provenance().getMacsPerImage() <= 0) {
            return Optional.empty();
        }
        double mse = s.provenance().getHeldoutLoss();
        SampleQuality q = s.provenance().getSampleQuality();
        return Optional.of(new QualityScorer.Scores(new Fidelity(mse, ImageMetrics.psnr(mse),
                s.provenance().getMacsPerImage()),
                q.getShapeDetailFrechet(), new DetailRatio(q.getLaplacianRatio(), q.getBandEnergyRatio())));
    }

    /** The schedule of {@code catalog/<id>.json} when that file exists and holds {@code plan}. */
    private static Optional<Schedule> holding(Path catalog, String id, C2fPlan plan) {
        Path file = catalog.resolve(id + ".json");
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Schedule s = ScheduleJson.read(file);
        return s.plan().equals(plan) ? Optional.of(s) : Optional.empty();
    }
}
