package io.c2f.schedules.trd;

import io.c2f.models.c2f.C2fExecutor;
import io.c2f.models.c2f.C2fPlan;
import io.c2f.models.c2f.C2fResult;
import io.c2f.models.diffusion.Denoiser;
import io.c2f.models.diffusion.DenoiserException;
import io.c2f.models.diffusion.NoiseSchedule;
import io.c2f.models.image.ImageMetrics;
import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;
import io.c2f.schedules.Baselines;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The TRD objective: fidelity of a plan's final images to a many-step full-resolution DDIM
 * reference (uniform spacing, eta 0) from the same initial noise, as the mean squared error of the
 * float images over all seeds, pixels and channels. References are computed once per seed set
 * (one batched denoiser call per step) and cached in memory and, when a {@link ReferenceStore} is
 * given, on disk for later runs.
 */
public final class ReferenceFidelity {
    private final Denoiser denoiser;
    private final NoiseSchedule schedule;
    private final C2fExecutor executor;
    private final int referenceSteps;
    private final Resolution high;
    private final Map<String, ImageBatch> references = new HashMap<>();
    private final ReferenceStore store;
    private final String modelSha256;
    private double referenceSeconds;
    private int loadedFromStore;

    public ReferenceFidelity(Denoiser denoiser, NoiseSchedule schedule, int referenceSteps, Resolution high) {
        this(denoiser, schedule, referenceSteps, high, ReferenceStore.NONE, "");
    }

    /** @param modelSha256 identifies the model in store keys; empty = never stored */
    public ReferenceFidelity(Denoiser denoiser, NoiseSchedule schedule, int referenceSteps, Resolution high,
                             ReferenceStore store, String modelSha256) {
        if (!denoiser.resolutions().contains(high)) {
            throw new IllegalArgumentException("denoiser has no " + high + " graph for the reference; it has "
                    + denoiser.resolutions());
        }
        this.denoiser = denoiser;
        this.schedule = schedule;
        this.executor = new C2fExecutor(denoiser, schedule);
        this.referenceSteps = referenceSteps;
        this.high = high;
        this.store = store;
        this.modelSha256 = modelSha256 == null ? "" : modelSha256;
    }

    public C2fPlan referencePlan() {
        return Baselines.uniform(referenceSteps, schedule.trainTimesteps(), high, 0f);
    }

    public int referenceSteps() {
        return referenceSteps;
    }

    /** The reference images of these seeds (computed on first use). */
    public synchronized ImageBatch reference(long[] seeds) throws DenoiserException {
        String key = Arrays.toString(seeds);
        ImageBatch ref = references.get(key);
        if (ref == null) {
            java.util.Optional<String> storeKey = ReferenceStore.key(modelSha256, storeDescription(seeds));
            ref = storeKey.flatMap(store::load).orElse(null);
            if (ref != null && (ref.batch() != seeds.length || !ref.resolution().equals(high))) {
                throw new IllegalStateException("stored reference " + storeKey.get() + " has shape " + ref
                        + ", expected " + seeds.length + " images at " + high);
            }
            if (ref != null) {
                loadedFromStore++;
            } else {
                long t0 = System.nanoTime();
                ref = executor.run(referencePlan(), seeds).images();
                referenceSeconds += (System.nanoTime() - t0) / 1e9;
                ImageBatch computed = ref;
                storeKey.ifPresent(k -> store.save(k, computed));
            }
            references.put(key, ref);
        }
        return ref;
    }

    private String storeDescription(long[] seeds) {
        StringBuilder abar = new StringBuilder();
        for (int t = 0; t < schedule.trainTimesteps(); t++) {
            abar.append(Double.doubleToLongBits(schedule.alphaBar(t))).append(',');
        }
        return "reference v1; engine " + denoiser.engine() + "; plan " + referencePlan() + "; abar " + abar
                + "; seeds " + Arrays.toString(seeds);
    }

    /** How many reference sets were read from the store instead of computed. */
    public synchronized int loadedFromStore() {
        return loadedFromStore;
    }

    /** Total wall time spent computing references so far. */
    public synchronized double referenceSeconds() {
        return referenceSeconds;
    }

    /** Mean squared error of the plan's images against the reference, over all seeds. */
    public double loss(C2fPlan plan, long[] seeds) throws DenoiserException {
        return loss(executor.run(plan, seeds).images(), seeds);
    }

    /** Mean squared error of given final images (one per seed, in seed order) against the reference. */
    public double loss(ImageBatch images, long[] seeds) throws DenoiserException {
        return ImageMetrics.mse(images, reference(seeds));
    }

    /** MSE and PSNR of a plan on these seeds, and its MACs per image. */
    public Fidelity measure(C2fPlan plan, long[] seeds) throws DenoiserException {
        C2fResult r = executor.run(plan, seeds);
        double mse = loss(r.images(), seeds);
        return new Fidelity(mse, ImageMetrics.psnr(mse), macsPerImage(plan, denoiser));
    }

    /** Denoiser MACs of one image sampled with this plan (the switch and DDIM arithmetic are not counted). */
    public static long macsPerImage(C2fPlan plan, Denoiser denoiser) {
        long macs = 0;
        for (int i = 0; i < plan.steps(); i++) {
            macs += denoiser.macsPerForward(plan.resolutionOf(i));
        }
        return macs;
    }

    /** @param psnr dB for images in [-1, 1] (peak-to-peak 2) */
    public record Fidelity(double mse, double psnr, long macsPerImage) {
    }
}
