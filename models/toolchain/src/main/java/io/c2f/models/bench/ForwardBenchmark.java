package io.c2f.models.bench;

import io.c2f.models.c2f.C2fExecutor;
import io.c2f.models.c2f.C2fPlan;
import io.c2f.models.c2f.C2fResult;
import io.c2f.models.c2f.PhaseTiming;
import io.c2f.models.diffusion.DenoiserException;
import io.c2f.models.diffusion.NoiseSchedule;
import io.c2f.models.noise.GaussianNoise;
import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;
import io.c2f.models.tflite.RuntimeOptions;
import io.c2f.models.tflite.TfliteDenoiser;
import io.c2f.models.unet.ModelSource;
import io.c2f.models.unet.UnetConfig;
import io.c2f.models.unet.UnetExporter;
import io.c2f.models.unet.UnetWeights;
import io.c2f.models.writer.GraphForm;
import io.c2f.models.writer.OpCensus;
import io.c2f.models.writer.WeightType;
import io.c2f.proto.v1.MacsAtResolution;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Benchmark (not a test): the UNet's own speed, two model files in one run. For each resolution, one
 * forward pass at batch 1 (ms and GFLOP/s achieved, 2 FLOPs per MAC of the manifest, by wall time and
 * by the calling thread's CPU time), then 10-step
 * DDIM at full resolution against 10-step C2F (5 + 5 steps), with the ratio and C2F's time by phase. The two models are
 * measured in alternation, {@code repeats} rounds, medians reported, so that both see the same load.
 * The samplers are timed after {@code warmup} runs of each (default 30), the state a device is in
 * after its first images: the sampler's per-element loops (initial noise, the C2F switch, the DDIM
 * update) run a few times per image and stay interpreted for the first few dozen; the first run of
 * each is printed as well (only the first model's runs find the sampler's code not yet compiled).
 *
 * <p>By default "new" is the shipped model and "old" is the shipped checkpoint written in the
 * {@link GraphForm#COMPACT} form (byte for byte the file shipped before the tiled one; {@code --old-form
 * legacy} gives the one shipped before that), so one command compares the graph forms on the same weights:
 * <pre>
 * java -cp c2f-models.jar io.c2f.models.bench.ForwardBenchmark [--old FILE.tflite] [--new FILE.tflite]
 *     [--old-form compact|legacy|tiled] [--checkpoint models/zoo/emoji32-c2f/checkpoint] [--threads 1]
 *     [--forwards 20] [--repeats 7] [--warmup 30] [--delegates xnnpack,cpu]
 * </pre>
 */
public final class ForwardBenchmark {
    static final Path SHIPPED_CHECKPOINT = Path.of("models/zoo/emoji32-c2f/checkpoint");

    private ForwardBenchmark() {
    }

    /** One model under test, open. */
    record Subject(String label, ModelSource source, TfliteDenoiser denoiser, C2fExecutor executor) {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = BenchCases.options(args);
        int threads = Integer.parseInt(a.getOrDefault("threads", "1"));
        int forwards = Integer.parseInt(a.getOrDefault("forwards", "20"));
        int repeats = Integer.parseInt(a.getOrDefault("repeats", "7"));
        int warmup = Integer.parseInt(a.getOrDefault("warmup", "30"));
        RuntimeOptions options = RuntimeOptions.parse(String.valueOf(threads), a.getOrDefault("delegates", null));
        ModelSource newer = ModelSource.of(Path.of(a.getOrDefault("new", ModelSource.SHIPPED.toString())));
        Path scratch = a.containsKey("old") ? null : Files.createTempDirectory("c2f-forward-bench");
        try {
            ModelSource older = scratch == null ? ModelSource.of(Path.of(a.get("old")))
                    : export(Path.of(a.getOrDefault("checkpoint", SHIPPED_CHECKPOINT.toString())), newer,
                    GraphForm.parse(a.getOrDefault("old-form", "compact")), scratch);
            compare(older, newer, options, threads, forwards, repeats, warmup);
        } finally {
            if (scratch != null) {
                try (var files = Files.list(scratch)) {
                    for (Path f : files.toList()) {
                        Files.delete(f);
                    }
                }
                Files.delete(scratch);
            }
        }
    }

    private static void compare(ModelSource older, ModelSource newer, RuntimeOptions options, int threads, int forwards,
                                int repeats, int warmup) throws IOException, DenoiserException {
        System.out.printf(Locale.ROOT, "c2f UNet forward benchmark%n  TFLite %s, threads %d, batch 1, %d forwards x %d "
                        + "rounds (median), samplers after %d warm-up runs, %d cores, load average at start: %s%n",
                TfliteDenoiser.runtimeVersion(), threads, forwards, repeats, warmup, Runtime.getRuntime().availableProcessors(),
                loadAverage());
        List<Subject> subjects = new ArrayList<>();
        try {
            for (String label : List.of("old", "new")) { // subjects.get(0) is old, get(1) new
                ModelSource m = label.equals("old") ? older : newer;
                TfliteDenoiser d = TfliteDenoiser.open(m.modelFile(), m.info(), options);
                subjects.add(new Subject(label, m, d, new C2fExecutor(d, NoiseSchedule.fromSpec(m.info().getNoiseSchedule()))));
                System.out.printf(Locale.ROOT, "  %s: %s, sha256 %s, engine %s%n", label, m.modelFile(),
                        m.info().getModelSha256(), d.engine());
                for (var g : OpCensus.ofFile(Files.readAllBytes(m.modelFile())).entrySet()) {
                    int total = OpCensus.total(g.getValue());
                    System.out.printf(Locale.ROOT, "    %-10s %5d ops, %5d without DEQUANTIZE%n", g.getKey(), total,
                            total - g.getValue().getOrDefault("DEQUANTIZE", 0));
                }
            }
            run(subjects, forwards, repeats, warmup);
        } finally {
            for (Subject s : subjects) {
                s.denoiser().close();
            }
        }
        System.out.printf(Locale.ROOT, "  load average at end: %s%n", loadAverage());
    }

    /** {low, switch, high, rest} ms of a C2F run that took {@code totalMs}; rest is the initial noise and the bookkeeping. */
    private static double[] phases(C2fResult r, double totalMs) {
        double[] p = new double[4];
        for (PhaseTiming t : r.phases()) {
            int k = switch (t.phase()) {
                case PhaseTiming.LOW -> 0;
                case PhaseTiming.SWITCH -> 1;
                default -> 2;
            };
            p[k] += t.millis();
        }
        p[3] = totalMs - p[0] - p[1] - p[2];
        return p;
    }

    private static void run(List<Subject> subjects, int forwards, int repeats, int warmup) throws DenoiserException {
        BenchCases.HighLow res = BenchCases.HighLow.of(subjects.get(1).source().info());
        System.out.printf(Locale.ROOT, "%n  %-26s %10s %12s %10s %10s %10s%n", "one forward, batch 1", "model", "ms", "GFLOP/s",
                "CPU ms", "(GFLOP/s)");
        double[] highGflops = new double[subjects.size()];
        for (Resolution r : List.of(res.high(), res.low())) {
            ImageBatch x = GaussianNoise.normal(new long[] {1000}, GaussianNoise.STREAM_INITIAL, r, 3);
            double[][] ms = new double[subjects.size()][repeats];
            double[][] cpuMs = new double[subjects.size()][repeats];
            for (Subject s : subjects) {
                for (int i = 0; i < 3; i++) {
                    s.denoiser().predictNoise(x, 500); // warm-up
                }
            }
            for (int rep = 0; rep < repeats; rep++) {
                for (int i = 0; i < subjects.size(); i++) {
                    TfliteDenoiser denoiser = subjects.get(i).denoiser();
                    BenchCases.Timing t = BenchCases.perRun(forwards, () -> denoiser.predictNoise(x, 500));
                    ms[i][rep] = t.wallMs();
                    cpuMs[i][rep] = t.cpuMs();
                }
            }
            for (int i = 0; i < subjects.size(); i++) {
                double median = BenchCases.median(ms[i]);
                double gflops = BenchCases.gflops(macs(subjects.get(i).source(), r), median);
                if (r.equals(res.high())) {
                    highGflops[i] = gflops;
                }
                double cpu = BenchCases.median(cpuMs[i]);
                System.out.printf(Locale.ROOT, "  %-26s %10s %12.3f %10.1f %10.3f %10.1f%n", r, subjects.get(i).label(), median,
                        gflops, cpu, BenchCases.gflops(macs(subjects.get(i).source(), r), cpu));
            }
            System.out.printf(Locale.ROOT, "  %-26s %10s %11.2fx %21.2fx (CPU time)%n", r, "old/new",
                    BenchCases.median(ms[0]) / BenchCases.median(ms[1]), BenchCases.median(cpuMs[0]) / BenchCases.median(cpuMs[1]));
        }

        int t = NoiseSchedule.fromSpec(subjects.get(1).source().info().getNoiseSchedule()).trainTimesteps();
        C2fPlan ddim = BenchCases.ddim(10, res.high(), t);
        C2fPlan c2f = BenchCases.c2fHalf(10, res, t);
        long[] seeds = {1000};
        double[][] ddimMs = new double[subjects.size()][repeats];
        double[][] c2fMs = new double[subjects.size()][repeats];
        double[][][] c2fPhases = new double[subjects.size()][repeats][]; // low, switch, high, rest
        double[][] cold = new double[subjects.size()][2]; // the first DDIM and C2F run
        long ddimMacs = 0;
        long c2fMacs = 0;
        for (int i = 0; i < subjects.size(); i++) {
            C2fExecutor e = subjects.get(i).executor();
            long start = System.nanoTime();
            e.run(ddim, seeds);
            cold[i][0] = (System.nanoTime() - start) / 1e6;
            start = System.nanoTime();
            e.run(c2f, seeds);
            cold[i][1] = (System.nanoTime() - start) / 1e6;
        }
        for (int w = 1; w < warmup; w++) {
            for (Subject s : subjects) {
                s.executor().run(ddim, seeds);
                s.executor().run(c2f, seeds);
            }
        }
        for (int rep = 0; rep < repeats; rep++) {
            for (int i = 0; i < subjects.size(); i++) {
                C2fExecutor e = subjects.get(i).executor();
                long start = System.nanoTime();
                ddimMacs = e.run(ddim, seeds).totalMacs();
                ddimMs[i][rep] = (System.nanoTime() - start) / 1e6;
                start = System.nanoTime();
                C2fResult r = e.run(c2f, seeds);
                c2fMs[i][rep] = (System.nanoTime() - start) / 1e6;
                c2fMacs = r.totalMacs();
                c2fPhases[i][rep] = phases(r, c2fMs[i][rep]);
            }
        }
        System.out.printf(Locale.ROOT, "%n  %-10s %18s %18s %14s   %s%n", "model", "10-step DDIM ms", "10-step C2F ms", "DDIM/C2F",
                "C2F: 5 low steps + switch + 5 high steps + rest (ms)");
        double[] ratio = new double[subjects.size()];
        for (int i = 0; i < subjects.size(); i++) {
            double d = BenchCases.median(ddimMs[i]);
            double c = BenchCases.median(c2fMs[i]);
            ratio[i] = d / c;
            double[] p = new double[4];
            for (int k = 0; k < 4; k++) {
                double[] column = new double[repeats];
                for (int rep = 0; rep < repeats; rep++) {
                    column[rep] = c2fPhases[i][rep][k];
                }
                p[k] = BenchCases.median(column);
            }
            System.out.printf(Locale.ROOT, "  %-10s %18.1f %18.1f %13.2fx   %.2f + %.2f + %.2f + %.2f%n", subjects.get(i).label(),
                    d, c, ratio[i], p[0], p[1], p[2], p[3]);
        }
        for (int i = 0; i < subjects.size(); i++) {
            System.out.printf(Locale.ROOT, "  %-10s %18.1f %18.1f %13.2fx   (%s)%n", subjects.get(i).label() + " 1st",
                    cold[i][0], cold[i][1], cold[i][0] / cold[i][1], i == 0
                            ? "the first sampler runs of this process: the sampler's own loops not yet compiled"
                            : "its first runs, after " + subjects.get(0).label() + "'s: its interpreters' first");
        }
        System.out.printf(Locale.ROOT, "%n  %s forward, new: %.1f GFLOP/s (old %.1f; target >= 120 at 1 thread)%n",
                res.high(), highGflops[1], highGflops[0]);
        System.out.printf(Locale.ROOT, "  10-step C2F vs DDIM, new: %.2fx faster (old %.2fx; MACs allow %.2fx; target >= 1.5)%n",
                ratio[1], ratio[0], (double) ddimMacs / c2fMacs);
    }

    /** The checkpoint's EMA weights written in {@code form}, like {@code reference} in every other respect. */
    static ModelSource export(Path checkpoint, ModelSource reference, GraphForm form, Path dir) throws IOException {
        UnetWeights weights = UnetWeights.load(checkpoint.resolve("ema.safetensors"), UnetConfig.edgeSmall());
        List<Resolution> resolutions = reference.info().getResolutionsList().stream()
                .map(r -> new Resolution(r.getHeight(), r.getWidth())).toList();
        WeightType type = WeightType.FP16.label().equals(reference.info().getWeightType()) ? WeightType.FP16 : WeightType.FP32;
        UnetExporter.ExportedModel m = UnetExporter.export(weights, resolutions, type, form,
                reference.info().getName(), dir.resolve("model.tflite"));
        return ModelSource.of(m.modelFile());
    }

    private static long macs(ModelSource m, Resolution r) {
        for (MacsAtResolution x : m.info().getMacsPerForwardList()) {
            if (x.getResolution().getHeight() == r.height() && x.getResolution().getWidth() == r.width()) {
                return x.getMacs();
            }
        }
        throw new IllegalArgumentException(m.modelFile() + " has no MACs for " + r + " in its manifest");
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }
}
