package io.c2f.agent.bench;

import io.c2f.agent.config.EngineSettings;
import io.c2f.agent.engine.EngineChain;
import io.c2f.agent.engine.EngineLinks;
import io.c2f.agent.engine.ModelSession;
import io.c2f.agent.engine.Platform;
import io.c2f.agent.engine.TfliteLink;
import io.c2f.agent.fs.AtomicFiles;
import io.c2f.models.c2f.C2fExecutor;
import io.c2f.models.image.PngImages;
import io.c2f.models.tensor.ImageBatch;
import io.c2f.proto.v1.DelegateInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One image through the agent's own path: the shipped model installed as a bundle, opened by the
 * engine chain pinned to one engine, one seed sampled with a short C2F schedule. Writes the image
 * as PNG and as raw float32 (little-endian) so two platforms' results can be compared exactly;
 * {@code --compare} prints the largest absolute difference of two such files and fails above a bound.
 *
 * <pre>
 * java -cp c2f-agent.jar io.c2f.agent.bench.GenerateOnce --model-dir models/zoo/emoji32-c2f \
 *     --engine onnx --seed 7 --steps 2 --out out/x86_64
 * java -cp c2f-agent.jar io.c2f.agent.bench.GenerateOnce --compare out/x86_64.f32 out/aarch64.f32 --max-abs 1e-3
 * </pre>
 * Used by {@code .ci/arm64-emulation}, which runs it on an aarch64 JVM under qemu-user.
 */
public final class GenerateOnce {
    private GenerateOnce() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String key = args[i].replaceFirst("^--", "");
            if (key.equals("compare")) {
                a.put("compare-a", args[++i]);
                a.put("compare-b", args[++i]);
            } else {
                a.put(key, args[++i]);
            }
        }
        if (a.containsKey("compare-a")) {
            System.exit(compare(Path.of(a.get("compare-a")), Path.of(a.get("compare-b")),
                    Double.parseDouble(a.getOrDefault("max-abs", "1e-3"))) ? 0 : 1);
        }
        Path modelDir = Path.of(a.getOrDefault("model-dir", "models/zoo/emoji32-c2f"));
        String engine = a.getOrDefault("engine", EngineChain.ONNX);
        long seed = Long.parseLong(a.getOrDefault("seed", "7"));
        int steps = Integer.parseInt(a.getOrDefault("steps", "2"));
        Path out = Path.of(a.getOrDefault("out", "generate-once"));

        long t0 = System.nanoTime();
        Path state = Files.createTempDirectory("c2f-generate-once");
        LocalBundle bundle = LocalBundle.install(modelDir, state.resolve("bundles"), steps);
        Platform platform = Platform.current();
        EngineChain chain = EngineLinks.chain(new EngineSettings(1, engine, "", ""), platform,
                TfliteLink.jniConfigured());
        try (ModelSession session = chain.open(bundle.slot())) {
            run(session, chain, platform, seed, steps, out, t0);
        } finally {
            AtomicFiles.deleteTree(state);
        }
    }

    private static void run(ModelSession session, EngineChain chain, Platform platform, long seed, int steps, Path out,
            long t0) throws Exception {
        {
            double openMs = (System.nanoTime() - t0) / 1e6;
            System.out.printf(Locale.ROOT, "platform %s, java %s (%s), engine chain %s%n", platform,
                    System.getProperty("java.version"), System.getProperty("java.home"), chain.spec());
            for (DelegateInfo d : session.delegates()) {
                System.out.printf(Locale.ROOT, "  %-15s %-12s %s%n", d.getName(),
                        d.getStatus().name().substring("DELEGATE_STATUS_".length()), d.getReason());
            }
            long t1 = System.nanoTime();
            ImageBatch image = new C2fExecutor(session.denoiser(), session.noiseSchedule())
                    .run(session.schedules().get(session.defaultScheduleId()), new long[] {seed}).images();
            double genMs = (System.nanoTime() - t1) / 1e6;
            Path parent = out.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Files.write(Path.of(out + ".png"), PngImages.encode(image, 0));
            writeFloats(Path.of(out + ".f32"), image.data());
            System.out.printf(Locale.ROOT, "generated seed %d, %s, %d steps on %s (%s): open %.0f ms, sample %.0f ms "
                    + "-> %s.f32 / .png%n", seed, image.resolution(), steps, session.engine(),
                    session.denoiser().engine(), openMs, genMs, out);
        }
    }

    private static void writeFloats(Path file, float[] values) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        Files.write(file, b.array());
    }

    private static float[] readFloats(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[b.remaining() / 4];
        b.asFloatBuffer().get(v);
        return v;
    }

    /** Prints the largest absolute difference; true when it is within {@code maxAbs}. */
    static boolean compare(Path a, Path b, double maxAbs) throws IOException {
        float[] x = readFloats(a);
        float[] y = readFloats(b);
        if (x.length != y.length) {
            System.out.printf(Locale.ROOT, "%s has %d values, %s has %d%n", a, x.length, b, y.length);
            return false;
        }
        double max = 0;
        for (int i = 0; i < x.length; i++) {
            max = Math.max(max, Math.abs((double) x[i] - y[i]));
        }
        boolean ok = max <= maxAbs;
        System.out.printf(Locale.ROOT, "max abs difference %s vs %s over %d values: %.3g (bound %.3g): %s%n", a, b,
                x.length, max, maxAbs, ok ? "within" : "ABOVE the bound");
        return ok;
    }
}
