package io.c2f.models.bench;

import io.c2f.models.c2f.C2fExecutor;
import io.c2f.models.c2f.C2fPlan;
import io.c2f.models.c2f.C2fResult;
import io.c2f.models.diffusion.NoiseSchedule;
import io.c2f.models.tflite.RuntimeOptions;
import io.c2f.models.tflite.TfliteDenoiser;
import io.c2f.models.unet.ModelSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Benchmark (not a test): what C2F buys on this machine, measured in one run on one model.
 *
 * <p>(a) 100-step full-resolution DDIM, (b) 10-step full-resolution DDIM, (c) 10-step C2F with
 * half the steps at low resolution; milliseconds and MACs per image, the ratios a/c and b/c, and
 * the achieved GFLOP/s (2 FLOPs per MAC). Each case runs once to warm up, then {@code repeats}
 * times; the median is reported.
 *
 * <pre>
 * java -cp c2f-models.jar io.c2f.models.bench.SamplerBenchmark [--model FILE.tflite|random]
 *     [--threads 1] [--batch 1] [--repeats 5] [--delegates xnnpack,cpu]
 * </pre>
 */
public final class SamplerBenchmark {
    private SamplerBenchmark() {
    }

    record Case(String name, C2fPlan plan) {
    }

    record Measured(double millisPerImage, double macsPerImage) {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = BenchCases.options(args);
        int threads = Integer.parseInt(a.getOrDefault("threads", "1"));
        int batch = Integer.parseInt(a.getOrDefault("batch", "1"));
        int repeats = Integer.parseInt(a.getOrDefault("repeats", "5"));
        ModelSource source = ModelSource.resolve(a.get("model"), Files.createTempDirectory("c2f-bench"));
        RuntimeOptions options = RuntimeOptions.parse(String.valueOf(threads), a.getOrDefault("delegates", null));

        BenchCases.HighLow res = BenchCases.HighLow.of(source.info());
        NoiseSchedule noise = NoiseSchedule.fromSpec(source.info().getNoiseSchedule());
        int t = noise.trainTimesteps();
        Case a100 = new Case("(a) DDIM 100 steps @" + res.high(), BenchCases.ddim(100, res.high(), t));
        Case b10 = new Case("(b) DDIM 10 steps @" + res.high(), BenchCases.ddim(10, res.high(), t));
        Case c10 = new Case("(c) C2F 10 steps, 5 @" + res.low() + " + 5 @" + res.high(), BenchCases.c2fHalf(10, res, t));

        System.out.printf(Locale.ROOT, "c2f sampler benchmark%n  model: %s%n  TFLite %s, threads %d, batch %d, "
                + "%d repeats (median), %d cores%n", source.description(), TfliteDenoiser.runtimeVersion(), threads, batch,
                repeats, Runtime.getRuntime().availableProcessors());
        Map<String, Measured> results = new LinkedHashMap<>();
        try (TfliteDenoiser denoiser = TfliteDenoiser.open(source.modelFile(), source.info(), options)) {
            System.out.printf("  engine: %s%n%n", denoiser.engine());
            C2fExecutor executor = new C2fExecutor(denoiser, noise);
            long[] seeds = new long[batch];
            for (int i = 0; i < batch; i++) {
                seeds[i] = 1000 + i;
            }
            System.out.printf(Locale.ROOT, "  %-40s %12s %14s %10s%n", "case", "ms/image", "GMACs/image", "GFLOP/s");
            for (Case c : new Case[] {a100, b10, c10}) {
                executor.run(c.plan(), seeds); // warm-up
                double[] ms = new double[repeats];
                long macs = 0;
                for (int r = 0; r < repeats; r++) {
                    long start = System.nanoTime();
                    C2fResult result = executor.run(c.plan(), seeds);
                    ms[r] = (System.nanoTime() - start) / 1e6 / batch;
                    macs = result.totalMacs() / batch;
                }
                double median = BenchCases.median(ms);
                results.put(c.name(), new Measured(median, macs));
                System.out.printf(Locale.ROOT, "  %-40s %12.1f %14.3f %10.1f%n", c.name(), median, macs / 1e9,
                        2.0 * macs / (median / 1e3) / 1e9);
            }
        }
        Measured ra = results.get(a100.name());
        Measured rb = results.get(b10.name());
        Measured rc = results.get(c10.name());
        System.out.printf(Locale.ROOT, "%n  a/c: wall-clock %.2fx, MACs %.2fx   (target >= 8 wall-clock)%n",
                ra.millisPerImage() / rc.millisPerImage(), ra.macsPerImage() / rc.macsPerImage());
        System.out.printf(Locale.ROOT, "  b/c: wall-clock %.2fx, MACs %.2fx   (target >= 1.4 wall-clock)%n",
                rb.millisPerImage() / rc.millisPerImage(), rb.macsPerImage() / rc.macsPerImage());
    }
}
