package io.c2f.models.onnx;

import io.c2f.models.diffusion.DdimSampler;
import io.c2f.models.diffusion.Denoiser;
import io.c2f.models.diffusion.NoiseSchedule;
import io.c2f.models.diffusion.TimestepSpacing;
import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;
import io.c2f.models.tflite.DelegateChain;
import io.c2f.models.tflite.RuntimeOptions;
import io.c2f.models.tflite.TfliteDenoiser;
import io.c2f.models.unet.UnetExporter;
import io.c2f.proto.v1.ModelInfo;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Benchmark (not a test): the shipped model on TFLite/XNNPACK against ONNX Runtime CPU, each engine in
 * its own JVM (so start-up time and resident memory are its own), same seed, same 10-step DDIM at the
 * full resolution, batch 1. Prints per engine: JVM-start-to-ready and open-to-ready time, RSS when
 * ready and peak RSS, median 10-step generation time; then the ONNX/TFLite time ratio, the largest
 * difference between the two final images, and (in a third JVM) one ONNX forward with the symbolic
 * dims free, with height/width bound (what OnnxDenoiser does) and with the batch bound too.
 *
 * <pre>
 * java -cp CP io.c2f.models.onnx.EngineComparison [--model-dir models/zoo/emoji32-c2f] [--threads 1] [--repeats 10]
 * </pre>
 * (CP = the onnx module's test classpath; models/README.md gives the commands.)
 */
public final class EngineComparison {
    private EngineComparison() {
    }

    record Measured(String engine, double jvmToReadyMs, double openMs, long rssReadyKb, long rssPeakKb,
                    double medianMs, float[] image) {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        Path dir = Path.of(a.getOrDefault("model-dir", "models/zoo/emoji32-c2f"));
        int threads = Integer.parseInt(a.getOrDefault("threads", "1"));
        int repeats = Integer.parseInt(a.getOrDefault("repeats", "10"));
        if (a.containsKey("child")) {
            child(a.get("child"), dir, threads, repeats, Path.of(a.get("out")));
            return;
        }
        if (a.containsKey("dims")) {
            dims(dir, threads);
            return;
        }
        System.out.printf(Locale.ROOT, "engine comparison: %s, 10-step DDIM at full resolution, batch 1, %d thread(s),"
                + " %d repeats (median), %d cores%n", dir, threads, repeats, Runtime.getRuntime().availableProcessors());
        List<Measured> results = new ArrayList<>();
        for (String engine : List.of("tflite", "onnx")) {
            results.add(runChild(engine, dir, threads, repeats));
        }
        System.out.printf(Locale.ROOT, "  %-22s %12s %10s %13s %12s %14s%n", "engine", "jvm->ready", "open", "RSS ready",
                "RSS peak", "10 steps");
        for (Measured m : results) {
            System.out.printf(Locale.ROOT, "  %-22s %9.0f ms %7.0f ms %10.1f MB %9.1f MB %11.1f ms%n", m.engine(),
                    m.jvmToReadyMs(), m.openMs(), m.rssReadyKb() / 1024.0, m.rssPeakKb() / 1024.0, m.medianMs());
        }
        Measured tflite = results.get(0);
        Measured onnx = results.get(1);
        float diff = 0;
        for (int i = 0; i < tflite.image().length; i++) {
            diff = Math.max(diff, Math.abs(tflite.image()[i] - onnx.image()[i]));
        }
        System.out.printf(Locale.ROOT, "  onnx/tflite time: %.2fx (target <= 1.5)%n", onnx.medianMs() / tflite.medianMs());
        System.out.printf(Locale.ROOT, "  max |image difference|: %.3g (target <= 1e-3)%n", diff);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                EngineComparison.class.getName(), "--dims", "1", "--model-dir", dir.toString(),
                "--threads", Integer.toString(threads)).redirectErrorStream(true).start();
        try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream())).lines()) {
            lines.filter(l -> l.startsWith("  ")).forEach(System.out::println);
        }
        p.waitFor();
    }

    /**
     * One ONNX forward at the full resolution, batch 1, with the symbolic dims left free, with height and
     * width bound (what OnnxDenoiser does), and with the batch bound too (a fully fixed-shape graph to
     * ONNX Runtime): median of 3 rounds x 40 runs each, interleaved so machine load hits all three alike.
     */
    private static void dims(Path dir, int threads) throws Exception {
        ModelInfo info = UnetExporter.readManifest(dir.resolve("model.json"));
        Resolution r = info.getResolutionsList().stream().map(Resolution::fromProto)
                .max((x, y) -> Integer.compare(x.pixels(), y.pixels())).orElseThrow();
        byte[] model = Files.readAllBytes(dir.resolve("model.onnx"));
        ai.onnxruntime.OrtEnvironment env = ai.onnxruntime.OrtEnvironment.getEnvironment();
        String[] modes = {"free", "height+width", "height+width+batch"};
        Map<String, List<Double>> times = new LinkedHashMap<>();
        float[] x = Arrays2.gaussian(r.pixels() * 3, 1);
        for (int round = 0; round < 3; round++) {
            for (String mode : modes) {
                try (var so = new ai.onnxruntime.OrtSession.SessionOptions()) {
                    so.setIntraOpNumThreads(threads);
                    so.setInterOpNumThreads(1);
                    so.setExecutionMode(ai.onnxruntime.OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
                    so.setOptimizationLevel(ai.onnxruntime.OrtSession.SessionOptions.OptLevel.ALL_OPT);
                    if (!mode.equals("free")) {
                        so.setSymbolicDimensionValue("height", r.height());
                        so.setSymbolicDimensionValue("width", r.width());
                    }
                    if (mode.endsWith("batch")) {
                        so.setSymbolicDimensionValue("batch", 1);
                    }
                    try (var session = env.createSession(model, so);
                         var xt = ai.onnxruntime.OnnxTensor.createTensor(env, java.nio.FloatBuffer.wrap(x),
                                 new long[] {1, r.height(), r.width(), 3});
                         var tt = ai.onnxruntime.OnnxTensor.createTensor(env, new float[] {500f});
                         var lt = ai.onnxruntime.OnnxTensor.createTensor(env, new long[] {0L})) {
                        Map<String, ai.onnxruntime.OnnxTensor> in = Map.of("x", xt, "t", tt, "label", lt);
                        for (int i = 0; i < 5; i++) {
                            session.run(in).close();
                        }
                        for (int i = 0; i < 40; i++) {
                            long t0 = System.nanoTime();
                            session.run(in).close();
                            times.computeIfAbsent(mode, k -> new ArrayList<>()).add((System.nanoTime() - t0) / 1e6);
                        }
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "  ONNX Runtime, one forward at %s batch 1, symbolic dims:%n", r);
        times.forEach((mode, list) -> {
            double[] ms = list.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            System.out.printf(Locale.ROOT, "    %-20s median %6.2f ms%n", mode, ms[ms.length / 2]);
        });
    }

    private static Measured runChild(String engine, Path dir, int threads, int repeats) throws Exception {
        Path out = Files.createTempFile("engine-" + engine, ".bin");
        try {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    EngineComparison.class.getName(), "--child", engine, "--model-dir", dir.toString(),
                    "--threads", Integer.toString(threads), "--repeats", Integer.toString(repeats), "--out", out.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            int rc = p.waitFor();
            if (rc != 0) {
                throw new IOException(engine + " run exited with " + rc);
            }
            try (DataInputStream in = new DataInputStream(Files.newInputStream(out))) {
                String name = in.readUTF();
                double jvm = in.readDouble();
                double open = in.readDouble();
                long rss = in.readLong();
                long peak = in.readLong();
                double median = in.readDouble();
                float[] image = new float[in.readInt()];
                for (int i = 0; i < image.length; i++) {
                    image[i] = in.readFloat();
                }
                return new Measured(name, jvm, open, rss, peak, median, image);
            }
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static void child(String engine, Path dir, int threads, int repeats, Path out) throws Exception {
        ModelInfo info = UnetExporter.readManifest(dir.resolve("model.json"));
        long start = System.nanoTime();
        Denoiser d = switch (engine) {
            case "tflite" -> TfliteDenoiser.open(dir.resolve("model.tflite"), info,
                    new RuntimeOptions(threads, DelegateChain.defaultChain()));
            case "onnx" -> OnnxDenoiser.open(dir.resolve("model.onnx"), info, OnnxOptions.cpu(threads));
            default -> throw new IllegalArgumentException("--child tflite|onnx, got " + engine);
        };
        double openMs = (System.nanoTime() - start) / 1e6;
        double jvmToReady = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
        long rssReady = status("VmRSS");
        try (d) {
            Resolution high = info.getResolutionsList().stream().map(Resolution::fromProto)
                    .max((x, y) -> Integer.compare(x.pixels(), y.pixels())).orElseThrow();
            NoiseSchedule schedule = NoiseSchedule.fromSpec(info.getNoiseSchedule());
            int[] steps = TimestepSpacing.uniform(10, schedule.trainTimesteps());
            DdimSampler sampler = new DdimSampler(d, schedule);
            long[] seeds = {1000};
            ImageBatch image = sampler.sample(steps, high, seeds, 0); // warm-up
            double[] ms = new double[repeats];
            for (int r = 0; r < repeats; r++) {
                long t0 = System.nanoTime();
                image = sampler.sample(steps, high, seeds, 0);
                ms[r] = (System.nanoTime() - t0) / 1e6;
            }
            Arrays.sort(ms);
            try (DataOutputStream o = new DataOutputStream(Files.newOutputStream(out))) {
                o.writeUTF(d.engine());
                o.writeDouble(jvmToReady);
                o.writeDouble(openMs);
                o.writeLong(rssReady);
                o.writeLong(status("VmHWM"));
                o.writeDouble(ms[repeats / 2]);
                o.writeInt(image.data().length);
                for (float v : image.data()) {
                    o.writeFloat(v);
                }
            }
        }
    }

    /** A kB field of /proc/self/status (Linux), or -1 where there is none. */
    private static long status(String field) throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return -1;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.substring(field.length() + 1).replace("kB", "").strip());
            }
        }
        return -1;
    }
}
