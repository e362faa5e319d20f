package io.c2f.schedules.bench;

import io.c2f.models.c2f.C2fExecutor;
import io.c2f.models.c2f.C2fPlan;
import io.c2f.models.data.PreparedTensorFile;
import io.c2f.models.quality.DetailMeasures;
import io.c2f.models.quality.DetailRatio;
import io.c2f.models.quality.MultiScaleFrechet;
import io.c2f.models.tensor.ImageBatch;
import io.c2f.schedules.trd.ReferenceFidelity;
import io.c2f.schedules.trd.ReferenceFidelity.Fidelity;
import io.c2f.schedules.trd.TrdConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Scores a plan for the benchmarks: (a) fidelity to the many-step reference on the held-out seeds,
 * and, given real images, (b) the shape/detail Fréchet distance of its samples to the held-out
 * images and (c) their detail ratios.
 */
record QualityScorer(ReferenceFidelity fid, long[] seeds, C2fExecutor executor, RealImages real) {
    /** Seeds of the samples the distribution measures use: apart from calibration and held-out seeds. */
    static final long SAMPLE_SEED_BASE = 5_000_000L;

    /** The table columns of (b) and (c), after the fidelity columns; empty without real images. */
    String headerColumns() {
        return real == null ? "" : " shape/detail Frechet | Laplacian ratio | HF ratio |";
    }

    String separatorColumns() {
        return real == null ? "" : "---|---|---|";
    }

    /** What was measured for one plan; (b) is NaN and (c) null without real images. */
    record Scores(Fidelity fidelity, double shapeDetailFrechet, DetailRatio detail) {
        /** This plan's cells under {@link #headerColumns()}. */
        String distributionColumns() {
            return detail == null ? "" : String.format(Locale.ROOT, " %.3f | %.3f | %.3f |", shapeDetailFrechet,
                    detail.laplacianRatio(), detail.highFrequencyRatio());
        }
    }

    /** The real images the distribution measures compare samples with (from PrepareData's output). */
    record RealImages(ImageBatch train, ImageBatch heldout, MultiScaleFrechet frechet, DetailMeasures heldoutDetail,
                      long[] sampleSeeds) {
        static RealImages load(Path dir) throws IOException {
            ImageBatch train = PreparedTensorFile.read(dir.resolve("train-32x32.c2fd"));
            ImageBatch heldout = PreparedTensorFile.read(dir.resolve("heldout-32x32.c2fd"));
            long[] seeds = TrdConfig.seeds(SAMPLE_SEED_BASE, heldout.batch());
            return new RealImages(train, heldout, MultiScaleFrechet.fit(train, 64), DetailMeasures.of(heldout), seeds);
        }
    }

    boolean hasRealImages() {
        return real != null;
    }

    Scores score(C2fPlan plan) throws Exception {
        Fidelity f = fid.measure(plan, seeds);
        if (real == null) {
            return new Scores(f, Double.NaN, null);
        }
        ImageBatch samples = executor.run(plan, real.sampleSeeds()).images();
        return new Scores(f, real.frechet().distance(samples, real.heldout()),
                DetailMeasures.of(samples).relativeTo(real.heldoutDetail()));
    }
}
