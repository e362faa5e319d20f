package io.c2f.models.training;

import io.c2f.models.c2f.C2fExecutor;
import io.c2f.models.c2f.C2fPlan;
import io.c2f.models.c2f.C2fResult;
import io.c2f.models.c2f.Interpolation;
import io.c2f.models.c2f.SwitchMethod;
import io.c2f.models.data.PreparedTensorFile;
import io.c2f.models.diffusion.NoiseSchedule;
import io.c2f.models.diffusion.TimestepSpacing;
import io.c2f.models.image.ImageGrid;
import io.c2f.models.image.ImageMetrics;
import io.c2f.models.quality.BoundedDistance;
import io.c2f.models.quality.DetailMeasures;
import io.c2f.models.quality.MultiScaleFrechet;
import io.c2f.models.quality.PixelFrechet;
import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;
import io.c2f.models.tflite.TfliteDenoiser;
import io.c2f.models.unet.UnetExporter;
import io.c2f.proto.v1.ModelInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Command line: measured quality of an exported model.
 * <pre>
 * ModelQuality --model DIR/model.tflite --data DIR [--seeds 32] [--samples 149] [--sample-steps 50]
 *              [--reference-steps 250] [--grid OUT.png] [--threads 2] [--clip-x0 true|false]
 * </pre>
 * (1) fidelity of few-step DDIM (eta 0, x0 unclipped unless --clip-x0 true) to the many-step DDIM reference from the
 * same noise: MSE in [-1,1] units and PSNR (peak-to-peak 2), plus a C2F plan (first half of the steps at
 * 16x16), each with its MACs per image; (2) for samples of the full-resolution sampler and of both C2F plans
 * (half the steps at 16x16) at --sample-steps, compared with the held-out images: the
 * {@link MultiScaleFrechet} distance (shape and detail at 32x32), the {@link PixelFrechet} distance (8x8 colour
 * layout only), both with PCA axes from the training set and printed beside their floor (as many training
 * images vs held-out) and ceiling (clipped Gaussian noise vs held-out), and the {@link DetailMeasures} ratios
 * (Laplacian variance, 2x2 band energy) of the samples to the held-out images; (3) an 8x8 grid of the first
 * 64 full-resolution samples.
 */
public final class ModelQuality {
    /** Which training images make the floor (the seed of the pixel-PCA64 floor in earlier reports). */
    private static final long FLOOR_SEED = 77;

    private ModelQuality() {
    }

    public static void main(String[] args) throws Exception {
        Path model = null;
        Path data = null;
        Path grid = null;
        int seeds = 32;
        int samples = -1;
        int sampleSteps = 50;
        int refSteps = 250;
        int threads = 2;
        boolean clipX0 = false; // the runtime default; clipping as DdimStep does it hurt this model badly
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(args[i] + " needs a value");
            }
            String v = args[i + 1];
            switch (args[i]) {
                case "--model" -> model = Path.of(v);
                case "--data" -> data = Path.of(v);
                case "--grid" -> grid = Path.of(v);
                case "--seeds" -> seeds = Integer.parseInt(v);
                case "--samples" -> samples = Integer.parseInt(v);
                case "--sample-steps" -> sampleSteps = Integer.parseInt(v);
                case "--reference-steps" -> refSteps = Integer.parseInt(v);
                case "--threads" -> threads = Integer.parseInt(v);
                case "--clip-x0" -> clipX0 = Boolean.parseBoolean(v);
                default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
            }
        }
        if (model == null || data == null) {
            System.err.println("usage: ModelQuality --model FILE.tflite --data DIR [--seeds N] [--samples N]"
                    + " [--sample-steps K] [--reference-steps K] [--grid OUT.png]");
            System.exit(2);
        }
        ModelInfo info = UnetExporter.readManifest(UnetExporter.manifestPath(model));
        NoiseSchedule schedule = NoiseSchedule.fromSpec(info.getNoiseSchedule());
        Resolution high = new Resolution(32, 32);
        Resolution low = new Resolution(16, 16);
        ImageBatch train = PreparedTensorFile.read(data.resolve("train-32x32.c2fd"));
        ImageBatch heldout = PreparedTensorFile.read(data.resolve("heldout-32x32.c2fd"));
        if (samples < 0) {
            samples = heldout.batch();
        }
        try (TfliteDenoiser denoiser = TfliteDenoiser.open(model, info,
                io.c2f.models.tflite.RuntimeOptions.parse(String.valueOf(threads), "xnnpack,cpu"))) {
            C2fExecutor exec = new C2fExecutor(denoiser, schedule, clipX0);
            long[] calib = new long[seeds];
            for (int i = 0; i < seeds; i++) {
                calib[i] = 1000 + i;
            }
            int t = schedule.trainTimesteps();
            long t0 = System.nanoTime();
            ImageBatch ref = exec.run(C2fPlan.fullResolution(TimestepSpacing.uniform(refSteps, t), high, 0f), calib).images();
            System.out.printf("reference: %d-step DDIM at 32x32 on %d seeds (%.1f s)%n", refSteps, seeds,
                    (System.nanoTime() - t0) / 1e9);
            Map<String, C2fPlan> plans = new LinkedHashMap<>();
            for (int k : new int[] {10, 20}) {
                plans.putAll(plans(k, t, low, high));
            }
            for (Map.Entry<String, C2fPlan> e : plans.entrySet()) {
                C2fResult r = exec.run(e.getValue(), calib);
                double mse = ImageMetrics.mse(r.images(), ref);
                System.out.printf("fidelity | %s | MSE %.5f | PSNR %.2f dB | %.1f MMACs per image%n", e.getKey(), mse,
                        ImageMetrics.psnr(mse), r.totalMacs() / (double) seeds / 1e6);
            }

            long[] gen = new long[samples];
            for (int i = 0; i < samples; i++) {
                gen[i] = 5000 + i;
            }
            PixelFrechet pixel = PixelFrechet.fit(train, 64);
            MultiScaleFrechet multiScale = MultiScaleFrechet.fit(train, 64);
            DetailMeasures heldoutDetail = DetailMeasures.of(heldout);
            System.out.printf("distances to the %d held-out images (PCA axes from the training set; not FID): floor = %d"
                    + " training images, ceiling = %d Gaussian-noise images clipped to [-1, 1]%n", heldout.batch(),
                    samples, samples);
            System.out.printf("detail | %d training images | %s%n", samples,
                    DetailMeasures.of(subset(train, samples)).relativeTo(heldoutDetail));
            ImageBatch generated = null;
            for (Map.Entry<String, C2fPlan> e : plans(sampleSteps, t, low, high).entrySet()) {
                t0 = System.nanoTime();
                ImageBatch images = exec.run(e.getValue(), gen).images();
                System.out.printf("generated %d samples with %s (%.1f s)%n", samples, e.getKey(),
                        (System.nanoTime() - t0) / 1e9);
                System.out.printf("multi-scale | %s | %s%n", e.getKey(), BoundedDistance.measure(
                        "shape/detail Frechet (multi-scale PCA-64)", multiScale, images, heldout,
                        train, FLOOR_SEED));
                System.out.printf("colour layout | %s | %s%n", e.getKey(), BoundedDistance.measure(
                        "8x8 colour layout Frechet (pixel-PCA64)", pixel, images, heldout, train, FLOOR_SEED));
                System.out.printf("detail | %s | %s%n", e.getKey(), DetailMeasures.of(images).relativeTo(heldoutDetail));
                if (generated == null) {
                    generated = images; // the full-resolution sampler comes first
                }
            }
            if (grid != null) {
                int n = Math.min(64, generated.batch());
                float[] first = java.util.Arrays.copyOf(generated.data(), n * generated.imageSize());
                Files.write(grid, ImageGrid.png(new ImageBatch(first, n, high, 3), 8, 8, 2));
                System.out.println("wrote " + grid);
            }
        }
    }

    /** k-step full-resolution DDIM and the two C2F plans with the first k / 2 steps at 16x16, by name. */
    private static Map<String, C2fPlan> plans(int k, int trainTimesteps, Resolution low, Resolution high) {
        int[] steps = TimestepSpacing.uniform(k, trainTimesteps);
        Map<String, C2fPlan> plans = new LinkedHashMap<>();
        plans.put(k + "-step DDIM 32x32", C2fPlan.fullResolution(steps, high, 0f));
        plans.put(k + "-step C2F (" + k / 2 + " at 16x16, re-noise x0)", new C2fPlan(steps, k / 2, low, high,
                SwitchMethod.RENOISE_X0, Interpolation.NEAREST, 0f));
        plans.put(k + "-step C2F (" + k / 2 + " at 16x16, upsample x_t)", new C2fPlan(steps, k / 2, low, high,
                SwitchMethod.UPSAMPLE_XT_VARIANCE_CORRECTED, Interpolation.NEAREST, 0f));
        return plans;
    }

    /** The training images of the floor: the distance floor draws them with the same seed. */
    private static ImageBatch subset(ImageBatch train, int n) {
        return BoundedDistance.sample(train, n, FLOOR_SEED);
    }
}
