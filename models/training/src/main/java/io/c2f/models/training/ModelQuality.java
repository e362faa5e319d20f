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
import java.util.SplittableRandom;

/**
 * Command line: measured quality of an exported model.
 * <pre>
 * ModelQuality --model DIR/model.tflite --data DIR [--seeds 32] [--samples 149] [--sample-steps 50]
 *              [--reference-steps 250] [--grid OUT.png] [--threads 2] [--clip-x0 true|false]
 * </pre>
 * (1) fidelity of few-step DDIM (eta 0, x0 unclipped unless --clip-x0 true) to the many-step DDIM reference from the
 * same noise: MSE in [-1,1] units and PSNR (peak-to-peak 2), plus a C2F plan (first half of the steps at
 * 16x16), each with its MACs per image; (2) {@link PixelFrechet} distance (PCA-64 of 8x8-pooled pixels,
 * axes fitted on the training set) between generated samples and the held-out images, next to the same
 * distance between as many training images and the held-out images (the floor this sample size allows);
 * (3) an 8x8 grid of the first 64 generated samples.
 */
public final class ModelQuality {
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
                plans.put(k + "-step DDIM 32x32", C2fPlan.fullResolution(TimestepSpacing.uniform(k, t), high, 0f));
                plans.put(k + "-step C2F (" + k / 2 + " at 16x16, re-noise x0)", new C2fPlan(TimestepSpacing.uniform(k, t),
                        k / 2, low, high, SwitchMethod.RENOISE_X0, Interpolation.NEAREST, 0f));
                plans.put(k + "-step C2F (" + k / 2 + " at 16x16, upsample x_t)", new C2fPlan(TimestepSpacing.uniform(k, t),
                        k / 2, low, high, SwitchMethod.UPSAMPLE_XT_VARIANCE_CORRECTED, Interpolation.NEAREST, 0f));
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
            t0 = System.nanoTime();
            ImageBatch generated = exec.run(C2fPlan.fullResolution(TimestepSpacing.uniform(sampleSteps, t), high, 0f),
                    gen).images();
            System.out.printf("generated %d samples with %d-step DDIM (%.1f s)%n", samples, sampleSteps,
                    (System.nanoTime() - t0) / 1e9);
            PixelFrechet fd = PixelFrechet.fit(train, 64);
            double dGen = fd.distance(generated, heldout);
            ImageBatch trainSubset = subset(train, samples, 77);
            double dFloor = fd.distance(trainSubset, heldout);
            ImageBatch noise = subset(io.c2f.models.noise.GaussianNoise.normal(gen, 0, high, 3), samples, 1);
            double dNoise = fd.distance(clamp(noise), heldout);
            System.out.printf("pixel-PCA64 Frechet distance (8x8-pooled pixels, PCA axes from the training set, not FID):"
                    + " generated vs held-out %.3f | %d training images vs held-out %.3f (floor) | clamped Gaussian noise"
                    + " vs held-out %.3f (ceiling)%n", dGen, samples, dFloor, dNoise);
            if (grid != null) {
                int n = Math.min(64, generated.batch());
                float[] first = java.util.Arrays.copyOf(generated.data(), n * generated.imageSize());
                Files.write(grid, ImageGrid.png(new ImageBatch(first, n, high, 3), 8, 8, 2));
                System.out.println("wrote " + grid);
            }
        }
    }

    private static ImageBatch subset(ImageBatch set, int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] idx = r.ints(0, set.batch()).distinct().limit(Math.min(n, set.batch())).toArray();
        float[] out = new float[idx.length * set.imageSize()];
        for (int i = 0; i < idx.length; i++) {
            System.arraycopy(set.data(), idx[i] * set.imageSize(), out, i * set.imageSize(), set.imageSize());
        }
        return new ImageBatch(out, idx.length, set.resolution(), set.channels());
    }

    private static ImageBatch clamp(ImageBatch b) {
        float[] d = b.data().clone();
        for (int i = 0; i < d.length; i++) {
            d[i] = Math.max(-1f, Math.min(1f, d[i]));
        }
        return new ImageBatch(d, b.batch(), b.resolution(), b.channels());
    }
}
