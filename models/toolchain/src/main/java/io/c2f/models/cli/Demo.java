package io.c2f.models.cli;

import io.c2f.models.c2f.C2fExecutor;
import io.c2f.models.c2f.C2fPlan;
import io.c2f.models.c2f.C2fResult;
import io.c2f.models.c2f.Interpolation;
import io.c2f.models.c2f.SwitchMethod;
import io.c2f.models.diffusion.NoiseSchedule;
import io.c2f.models.diffusion.TimestepSpacing;
import io.c2f.models.image.ImageGrid;
import io.c2f.models.image.ImageMetrics;
import io.c2f.models.tensor.Resolution;
import io.c2f.models.tflite.RuntimeOptions;
import io.c2f.models.tflite.TfliteDenoiser;
import io.c2f.models.unet.ModelSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * The models demo: one model, the same seeds, three samplers on TensorFlow Lite: the 100-step
 * full-resolution DDIM reference, 10-step DDIM, and 10-step Coarse-to-Fine (half the steps at low
 * resolution). Writes a sample grid per sampler and prints time, MACs and fidelity to the
 * reference (PSNR from the same noise).
 */
final class Demo {
    private Demo() {
    }

    static void run(Map<String, String> opts) throws Exception {
        Path out = Path.of(opts.getOrDefault("out", "demo-out"));
        Files.createDirectories(out);
        int n = Integer.parseInt(opts.getOrDefault("seeds", "16"));
        ModelSource source = ModelSource.resolve(opts.get("model"), out.resolve("model"));
        RuntimeOptions options = RuntimeOptions.parse(opts.getOrDefault("threads", "1"),
                opts.getOrDefault("delegates", null));
        System.out.println("c2f demo: " + source.description());
        Resolution high = null;
        Resolution low = null;
        for (var r : source.info().getResolutionsList()) {
            Resolution res = new Resolution(r.getHeight(), r.getWidth());
            high = high == null || res.pixels() > high.pixels() ? res : high;
            low = low == null || res.pixels() < low.pixels() ? res : low;
        }
        NoiseSchedule noise = NoiseSchedule.fromSpec(source.info().getNoiseSchedule());
        int t = noise.trainTimesteps();
        long[] seeds = new long[n];
        for (int i = 0; i < n; i++) {
            seeds[i] = i;
        }
        try (TfliteDenoiser denoiser = TfliteDenoiser.open(source.modelFile(), source.info(), options)) {
            System.out.println("engine: " + denoiser.engine() + ", " + n + " seeds, batch " + n);
            C2fExecutor executor = new C2fExecutor(denoiser, noise);
            C2fResult reference = executor.run(C2fPlan.fullResolution(TimestepSpacing.uniform(100, t), high, 0), seeds);
            report(out, "ddim-100", reference, reference, n);
            report(out, "ddim-10", executor.run(C2fPlan.fullResolution(TimestepSpacing.uniform(10, t), high, 0), seeds),
                    reference, n);
            report(out, "c2f-10", executor.run(new C2fPlan(TimestepSpacing.uniform(10, t), 5, low, high,
                    SwitchMethod.UPSAMPLE_XT_VARIANCE_CORRECTED, Interpolation.NEAREST, 0), seeds), reference, n);
        }
        System.out.println("sample grids written to " + out.toAbsolutePath());
    }

    private static void report(Path out, String name, C2fResult run, C2fResult reference, int n) throws Exception {
        Path png = out.resolve(name + ".png");
        Files.write(png, ImageGrid.png(run.images()));
        double mse = ImageMetrics.mse(run.images(), reference.images());
        System.out.printf(Locale.ROOT, "  %-9s %8.1f ms/image  %7.3f GMACs/image  PSNR vs ddim-100 %s  -> %s%n", name,
                run.totalMillis() / n, run.totalMacs() / 1e9 / n,
                mse == 0 ? "  (reference)" : String.format(Locale.ROOT, "%6.2f dB", ImageMetrics.psnr(mse)), png);
    }
}
