package io.c2f.models.bench;

import io.c2f.models.tensor.Resolution;
import io.c2f.models.tflite.TfliteDenoiser;
import io.c2f.models.unet.ModelSource;
import io.c2f.models.unet.UnetConfig;
import io.c2f.models.unet.UnetGraph;
import io.c2f.models.unet.UnetWeights;
import io.c2f.models.writer.GraphBuilder;
import io.c2f.models.writer.GraphForm;
import io.c2f.models.writer.LayerBackend;
import io.c2f.models.writer.MacCounter;
import io.c2f.models.writer.OpCensus;
import io.c2f.models.writer.Subgraph;
import io.c2f.models.writer.TfliteBackend;
import io.c2f.models.writer.WeightType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.tensorflow.lite.schema.BuiltinOperator;

/**
 * Benchmark (not a test): where the time of one UNet forward goes, per resolution, measured. All
 * graphs are written with the toolchain's writer from the shipped checkpoint (fp16 weights, batch 1)
 * and timed in alternation in one run (medians of {@code repeats} rounds of {@code forwards} runs):
 * <ul>
 * <li>the shipped file's fixed graph, and the whole UNet in each {@link GraphForm};</li>
 * <li>the UNet without one block kind ({@link WithoutPart}): full minus that is what the blocks cost
 *     inside the whole graph, partitions included;</li>
 * <li>the graph's ops of one kind alone ({@link OpsOnlyModel}), CONV_2D alone being the hardware
 *     ceiling: the UNet's convolutions with their shapes and weights and nothing else.</li>
 * </ul>
 * <pre>
 * java -jar c2f-models.jar bench-breakdown [--checkpoint models/zoo/emoji32-c2f/checkpoint]
 *     [--model models/zoo/emoji32-c2f/model.tflite] [--form tiled] [--only REGEX] [--threads 1]
 *     [--forwards 20] [--repeats 5]
 * </pre>
 * {@code --form}: the UNet whose parts and ops are taken apart (default: the exporter's default form);
 * {@code --only}: time just the graphs whose label matches (and that UNet). Times are wall and CPU time
 * of the calling thread (TFLite runs one interpreter thread there); shares are by CPU time, which the
 * other processes of a shared machine disturb less.
 */
public final class ForwardBreakdown {
    /** The label of the UNet in {@code form}. */
    static String unetLabel(GraphForm form) {
        return "UNet, " + name(form) + " form";
    }

    private static String name(GraphForm form) {
        return form.name().toLowerCase(Locale.ROOT);
    }

    private ForwardBreakdown() {
    }

    /** One graph under test; {@code macs} 0 where GFLOP/s means nothing. */
    record Variant(String group, String label, ByteBuffer model, long macs, int ops) {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = BenchCases.options(args);
        int threads = Integer.parseInt(a.getOrDefault("threads", "1"));
        int forwards = Integer.parseInt(a.getOrDefault("forwards", "20"));
        int repeats = Integer.parseInt(a.getOrDefault("repeats", "5"));
        String only = a.getOrDefault("only", ".*");
        GraphForm form = GraphForm.parse(a.getOrDefault("form", name(GraphForm.DEFAULT)));
        Path checkpoint = Path.of(a.getOrDefault("checkpoint", ForwardBenchmark.SHIPPED_CHECKPOINT.toString()));
        ModelSource shipped = ModelSource.of(Path.of(a.getOrDefault("model", ModelSource.SHIPPED.toString())));
        UnetWeights weights = UnetWeights.load(checkpoint.resolve("ema.safetensors"), UnetConfig.edgeSmall());
        byte[] shippedBytes = Files.readAllBytes(shipped.modelFile());
        String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(shippedBytes));
        if (!sha256.equals(shipped.info().getModelSha256())) { // the graph parsers below read only files the manifest vouches for
            throw new IOException("model file " + shipped.modelFile() + " has sha256 " + sha256 + ", its manifest says "
                    + shipped.info().getModelSha256());
        }
        System.out.printf(Locale.ROOT, "c2f UNet forward breakdown%n  TFLite %s, XNNPACK, threads %d, batch 1, %d runs x %d "
                        + "rounds (median, all graphs in alternation), %d cores%n  load average at start: %s%n",
                TfliteDenoiser.runtimeVersion(), threads, forwards, repeats, Runtime.getRuntime().availableProcessors(),
                ForwardBenchmark.loadAverage());
        List<Resolution> resolutions = shipped.info().getResolutionsList().stream()
                .map(r -> new Resolution(r.getHeight(), r.getWidth())).toList();
        for (int label = 0; label < resolutions.size(); label++) {
            Resolution r = resolutions.get(label);
            List<Variant> variants = variants(weights, r, label, form, shippedBytes).stream()
                    .filter(v -> v.label().matches(only) || v.label().equals(unetLabel(form))).toList();
            report(r, form, variants, time(variants, threads, forwards, repeats));
        }
        System.out.printf(Locale.ROOT, "%n  load average at end: %s%n", ForwardBenchmark.loadAverage());
    }

    /** Every graph timed at {@code r}; the parts and ops alone are those of the UNet in {@code form}. */
    static List<Variant> variants(UnetWeights weights, Resolution r, int label, GraphForm form, byte[] shippedBytes) {
        List<Variant> v = new ArrayList<>();
        String key = "res" + r.height() + "x" + r.width();
        ByteBuffer view = GraphBuilder.view(shippedBytes, key);
        v.add(new Variant("whole", "shipped file (" + key + " view)", view, MacCounter.count(view, 0), ops(view)));
        ByteBuffer full = null;
        for (GraphForm f : GraphForm.values()) {
            ByteBuffer m = unet(weights, r, label, f, UnaryOperator.identity());
            v.add(new Variant("whole", unetLabel(f), m, MacCounter.count(m, 0), ops(m)));
            if (f == form) {
                full = m;
            }
        }
        for (WithoutPart.Part part : WithoutPart.Part.values()) {
            ByteBuffer m = unet(weights, r, label, form, b -> new WithoutPart(b, part));
            v.add(new Variant("without", "UNet without " + part.label, m, 0, ops(m)));
        }
        Set<Integer> elementwise = Set.of(BuiltinOperator.ADD, BuiltinOperator.SUB, BuiltinOperator.MUL, BuiltinOperator.DIV,
                BuiltinOperator.MAXIMUM, BuiltinOperator.SQRT);
        record Alone(String label, Predicate<OpsOnlyModel.OpShape> select) {
        }
        for (Alone k : List.of(
                new Alone("CONV_2D, all (ceiling)", o -> o.kind() == BuiltinOperator.CONV_2D),
                new Alone("CONV_2D on images (no GroupNorm 1x1)", o -> o.kind() == BuiltinOperator.CONV_2D && pixels(o) > 1),
                new Alone("MEAN", o -> o.kind() == BuiltinOperator.MEAN),
                new Alone("ADD SUB MUL DIV SQRT on images, same shapes", o -> elementwise.contains(o.kind())
                        && pixels(o) > 1 && !o.broadcasts()),
                new Alone("ADD SUB MUL on images, broadcast operand", o -> elementwise.contains(o.kind())
                        && pixels(o) > 1 && o.broadcasts()),
                new Alone("ADD SUB MUL DIV MAXIMUM SQRT on vectors", o -> elementwise.contains(o.kind()) && pixels(o) <= 1),
                new Alone("LOGISTIC", o -> o.kind() == BuiltinOperator.LOGISTIC),
                new Alone("BATCH_MATMUL SOFTMAX", o -> o.kind() == BuiltinOperator.BATCH_MATMUL
                        || o.kind() == BuiltinOperator.SOFTMAX),
                new Alone("CONCATENATION RESIZE_NEAREST", o -> o.kind() == BuiltinOperator.CONCATENATION
                        || o.kind() == BuiltinOperator.RESIZE_NEAREST_NEIGHBOR))) {
            if (OpsOnlyModel.shapes(full).stream().noneMatch(k.select())) {
                continue;
            }
            OpsOnlyModel.Ops ops = OpsOnlyModel.of(full, k.select());
            v.add(new Variant("alone", k.label(), ByteBuffer.wrap(ops.model()), ops.macs(), ops.ops()));
        }
        Map<String, OpsOnlyModel.OpShape> convShapes = new TreeMap<>();
        for (OpsOnlyModel.OpShape o : OpsOnlyModel.shapes(full)) {
            if (o.kind() == BuiltinOperator.CONV_2D && pixels(o) > 1) {
                convShapes.putIfAbsent(o.convLabel(), o);
            }
        }
        for (String shape : convShapes.keySet()) {
            OpsOnlyModel.Ops ops = OpsOnlyModel.of(full, o -> o.kind() == BuiltinOperator.CONV_2D && pixels(o) > 1
                    && o.convLabel().equals(shape));
            v.add(new Variant("shape", "conv " + shape, ByteBuffer.wrap(ops.model()), ops.macs(), ops.ops()));
        }
        v.add(new Variant("machine", "machine: 8 x conv 3x3 64->64 at 32x32, chained", convChain(32, 64, 8),
                8L * 32 * 32 * 9 * 64 * 64, 8));
        return v;
    }

    /**
     * {@code count} chained 3x3 convs of {@code channels} at {@code side}x{@code side} with fixed random
     * fp16 weights: the graph TFLITE_NOTES.md timed on earlier machines, to set this machine beside them.
     */
    static ByteBuffer convChain(int side, int channels, int count) {
        GraphBuilder b = new GraphBuilder(WeightType.FP16);
        Subgraph s = b.addSubgraph("chain");
        SplittableRandom random = new SplittableRandom(7);
        float scale = (float) (1 / Math.sqrt(9.0 * channels));
        int h = s.input("x", new int[] {1, side, side, channels}, null);
        for (int i = 0; i < count; i++) {
            float[] w = new float[channels * 9 * channels];
            for (int j = 0; j < w.length; j++) {
                w[j] = (float) random.nextDouble(-scale, scale);
            }
            h = s.conv2d(h, s.weight("chain" + i + ".weight", w, new int[] {channels, 3, 3, channels}),
                    s.weight("chain" + i + ".bias", new float[channels], new int[] {channels}), 1, Subgraph.Pad.SAME);
        }
        s.output("y", h);
        return ByteBuffer.wrap(b.serialize(List.of(GraphBuilder.SignatureSpec.of("chain", s))));
    }

    /** Pixels of an op's first input if it is an image [B,H,W,C], else 1. */
    private static int pixels(OpsOnlyModel.OpShape o) {
        return o.input().length == 4 ? o.input()[1] * o.input()[2] : 1;
    }

    /** The UNet's fixed graph for {@code r} as a model of its own, written through {@code wrap}(TFLite backend). */
    static ByteBuffer unet(UnetWeights weights, Resolution r, int label, GraphForm form, UnaryOperator<LayerBackend> wrap) {
        GraphBuilder b = new GraphBuilder(WeightType.FP16);
        Subgraph s = b.addSubgraph("res" + r.height() + "x" + r.width());
        new UnetGraph(weights).emit(wrap.apply(TfliteBackend.fixed(s, weights::get, r.height(), r.width(),
                weights.config().inChannels(), label, form)));
        return ByteBuffer.wrap(b.serialize(List.of(GraphBuilder.SignatureSpec.of(s.name(), s))));
    }

    private static int ops(ByteBuffer model) {
        Map<String, Integer> census = OpCensus.count(model, 0);
        return OpCensus.total(census) - census.getOrDefault("DEQUANTIZE", 0);
    }

    /** Medians over rounds of each variant's ms per run: [0] wall, [1] CPU; all variants in each round, in order. */
    static double[][] time(List<Variant> variants, int threads, int forwards, int repeats) {
        List<GraphTimer> timers = new ArrayList<>();
        try {
            for (Variant v : variants) {
                timers.add(new GraphTimer(v.model(), threads));
            }
            for (GraphTimer t : timers) {
                t.msPerRun(3); // warm-up
            }
            double[][] wall = new double[variants.size()][repeats];
            double[][] cpu = new double[variants.size()][repeats];
            for (int rep = 0; rep < repeats; rep++) {
                for (int i = 0; i < timers.size(); i++) {
                    BenchCases.Timing t = timers.get(i).msPerRun(forwards);
                    wall[i][rep] = t.wallMs();
                    cpu[i][rep] = t.cpuMs();
                }
            }
            double[][] medians = new double[2][variants.size()];
            for (int i = 0; i < variants.size(); i++) {
                medians[0][i] = BenchCases.median(wall[i]);
                medians[1][i] = BenchCases.median(cpu[i]);
            }
            return medians;
        } finally {
            for (GraphTimer t : timers) {
                t.close();
            }
        }
    }

    /**
     * One table per resolution: wall and CPU ms per run, GFLOP/s of each (where MACs apply), and each
     * graph set against the UNet in {@code form} by CPU time (the steadier of the two on a shared machine).
     */
    private static void report(Resolution r, GraphForm form, List<Variant> variants, double[][] ms) {
        int fullIndex = -1;
        for (int i = 0; i < variants.size(); i++) {
            if (variants.get(i).label().equals(unetLabel(form))) {
                fullIndex = i;
            }
        }
        double[] wall = ms[0];
        double[] cpu = ms[1];
        double full = cpu[fullIndex];
        Variant f = variants.get(fullIndex);
        System.out.printf(Locale.ROOT, "%n  %s, load average %s%n  %-46s %5s %8s %8s %9s %9s  %s%n", r,
                ForwardBenchmark.loadAverage(), "graph", "ops", "wall ms", "CPU ms", "GFLOP/s", "(CPU)",
                "by CPU time, against the " + name(form) + " UNet");
        double[] ceiling = {0, 0};
        for (int i = 0; i < variants.size(); i++) {
            Variant v = variants.get(i);
            String share = switch (v.group()) {
                case "without" -> String.format(Locale.ROOT, "the left-out blocks cost %.3f ms (%.1f %%)", full - cpu[i],
                        100 * (full - cpu[i]) / full);
                case "alone", "shape" -> String.format(Locale.ROOT, "alone %.1f %% of the UNet's time%s", 100 * cpu[i] / full,
                        v.macs() > 0 ? String.format(Locale.ROOT, ", %.1f %% of its MACs", 100.0 * v.macs() / f.macs()) : "");
                case "machine" -> "TFLITE_NOTES.md: ~190 GFLOP/s on an earlier machine";
                default -> String.format(Locale.ROOT, "%.3fx its time", cpu[i] / full);
            };
            System.out.printf(Locale.ROOT, "  %-46s %5d %8.3f %8.3f %9s %9s  %s%n", v.label(), v.ops(), wall[i], cpu[i],
                    gflopsText(v.macs(), wall[i]), gflopsText(v.macs(), cpu[i]), share);
            if (v.label().startsWith("CONV_2D, all")) {
                ceiling = new double[] {BenchCases.gflops(v.macs(), wall[i]), BenchCases.gflops(v.macs(), cpu[i])};
            }
        }
        double achievedWall = BenchCases.gflops(f.macs(), wall[fullIndex]);
        double achievedCpu = BenchCases.gflops(f.macs(), full);
        System.out.printf(Locale.ROOT, "  %s UNet (%s form): %.1f GFLOP/s by wall time, %.1f by CPU time%s; issue 18 target "
                        + "at 32x32: >= 120%n", r, name(form), achievedWall, achievedCpu, ceiling[1] == 0 ? ""
                        : String.format(Locale.ROOT, " = %.0f %% (wall) / %.0f %% (CPU) of the conv-only ceiling, "
                        + "%.1f / %.1f GFLOP/s", 100 * achievedWall / ceiling[0], 100 * achievedCpu / ceiling[1], ceiling[0],
                        ceiling[1]));
    }

    private static String gflopsText(long macs, double ms) {
        return macs > 0 ? String.format(Locale.ROOT, "%.1f", BenchCases.gflops(macs, ms)) : "";
    }
}
