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
 * (one batched denoiser call per step) and cached.
 */
public final class ReferenceFidelity {
    private final Denoiser denoiser;
    private final NoiseSchedule schedule;
    private final C2fExecutor executor;
    private final int referenceSteps;
    private final Resolution high;
    private final Map<String, ImageBatch> references = new HashMap<>();
    private double referenceSeconds;

    public ReferenceFidelity(Denoiser denoiser, NoiseSchedule schedule, int referenceSteps, Resolution high) {
        if (!denoiser.resolutions().contains(high)) {
            throw new IllegalArgumentException("denoiser has no " + high + " graph for the reference; it has "
                    + denoiser.resolutions());
        }
        this.denoiser = denoiser;
        this.schedule = schedule;
        this.executor = new C2fExecutor(denoiser, schedule);
        this.referenceSteps = referenceSteps;
        this.high = high;
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
            long t0 = System.nanoTime();
            ref = executor.run(referencePlan(), seeds).images();
            referenceSeconds += (System.nanoTime() - t0) / 1e9;
            references.put(key, ref);
        }
        return ref;
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
