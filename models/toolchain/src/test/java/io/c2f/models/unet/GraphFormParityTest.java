package io.c2f.models.unet;

import static io.c2f.models.testing.FloatArrays.gaussian;
import static io.c2f.models.testing.FloatArrays.maxAbs;
import static io.c2f.models.testing.FloatArrays.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.models.c2f.C2fExecutor;
import io.c2f.models.c2f.C2fPlan;
import io.c2f.models.c2f.Interpolation;
import io.c2f.models.c2f.SwitchMethod;
import io.c2f.models.diffusion.NoiseSchedule;
import io.c2f.models.diffusion.TimestepSpacing;
import io.c2f.models.reference.Nhwc;
import io.c2f.models.reference.ReferenceUnet;
import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;
import io.c2f.models.tflite.TfliteDenoiser;
import io.c2f.models.writer.GraphForm;
import io.c2f.models.writer.Half;
import io.c2f.models.writer.OpCensus;
import io.c2f.models.writer.WeightType;
import io.c2f.proto.v1.ModelFile;
import io.c2f.proto.v1.ModelInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped checkpoint (models/zoo/emoji32-c2f) exported in every {@link GraphForm}: the legacy form
 * rewrites the file shipped until 2026-12-03 byte for byte, the compact form the one shipped after it,
 * the tiled form is the file shipped now, and they agree with each other and with the plain-Java
 * reference at both resolutions.
 */
class GraphFormParityTest {
    static final Path ZOO = Path.of("..", "zoo", "emoji32-c2f");
    /** sha256 of the model.tflite shipped until 2026-12-03 (legacy graph form, same weights). */
    static final String LEGACY_SHA256 = "b35a8a7181514e7cc52a21ea4686a014250090154bcf58ec9cea7b80ada7ac89";
    /** sha256 of the model.tflite shipped after it on 2026-12-03, until the tiled one (compact graph form). */
    static final String COMPACT_SHA256 = "554309d27e6308285bf79c9dca432259c7564c17239b07f81fe6c40ac8b76327";
    static final List<Resolution> RESOLUTIONS = List.of(Resolution.square(32), Resolution.square(16));
    /** Ops that XNNPACK 2.6.2 does not take (its binary's "failed to delegate" list has no entry for them). */
    static final Set<String> OUTSIDE_XNNPACK = Set.of("CONCATENATION", "BATCH_MATMUL", "SIN", "COS",
            "RESIZE_NEAREST_NEIGHBOR");

    @TempDir
    static Path dir;
    static UnetWeights weights;
    static ModelInfo shipped;
    static UnetExporter.ExportedModel legacy;
    static UnetExporter.ExportedModel compact;
    static UnetExporter.ExportedModel tiled;

    @BeforeAll
    static void export() throws Exception {
        weights = UnetWeights.load(ZOO.resolve("checkpoint").resolve("ema.safetensors"), UnetConfig.edgeSmall());
        shipped = UnetExporter.readManifest(ZOO.resolve("model.json"));
        legacy = UnetExporter.export(weights, RESOLUTIONS, WeightType.FP16, GraphForm.LEGACY, shipped.getName(),
                dir.resolve("legacy").resolve("model.tflite"));
        compact = UnetExporter.export(weights, RESOLUTIONS, WeightType.FP16, GraphForm.COMPACT, shipped.getName(),
                dir.resolve("compact").resolve("model.tflite"));
        tiled = UnetExporter.export(weights, RESOLUTIONS, WeightType.FP16, GraphForm.TILED, shipped.getName(),
                dir.resolve("tiled").resolve("model.tflite"));
    }

    @Test
    void legacyFormRewritesTheFormerlyShippedFileByteForByte() {
        assertEquals(LEGACY_SHA256, legacy.info().getModelSha256());
        assertEquals(onnx(shipped).getSha256(), onnx(legacy.info()).getSha256(), "the .onnx does not depend on the form");
    }

    @Test
    void compactFormRewritesTheFileShippedBeforeTheTiledOneByteForByte() {
        assertEquals(COMPACT_SHA256, compact.info().getModelSha256());
        assertEquals(onnx(shipped).getSha256(), onnx(compact.info()).getSha256(), "the .onnx does not depend on the form");
    }

    @Test
    void shippedModelIsTheTiledExportOfItsCheckpoint() throws Exception {
        assertEquals(GraphForm.TILED, GraphForm.DEFAULT, "the exporter writes the shipped form unless told otherwise");
        assertEquals(tiled.info(), shipped, "model.json is what the tiled export writes");
        assertTrue(Arrays.equals(Files.readAllBytes(tiled.modelFile()), Files.readAllBytes(ZOO.resolve("model.tflite"))),
                "model.tflite is the tiled export of checkpoint/ema.safetensors");
        assertEquals(legacy.info().getMacsPerForwardList(), compact.info().getMacsPerForwardList(),
                "all forms have the same MACs (schedule provenance counts them)");
        assertEquals(legacy.info().getMacsPerForwardList(), tiled.info().getMacsPerForwardList(),
                "all forms have the same MACs (schedule provenance counts them)");
    }

    /**
     * The tiled form changes only element-wise ops: the same convolutions and fully connected layers, the
     * same ops outside XNNPACK, GroupNorm without RSQRT, and a shape-free graph written as in the compact form.
     */
    @Test
    void tiledFormKeepsTheConvolutionsAndTheOpsOutsideXnnpack() throws Exception {
        Map<String, Map<String, Integer>> before = OpCensus.ofFile(Files.readAllBytes(compact.modelFile()));
        Map<String, Map<String, Integer>> after = OpCensus.ofFile(Files.readAllBytes(tiled.modelFile()));
        assertEquals(before.get("shape_free"), after.get("shape_free"), "shape-free graph as in the compact form");
        for (String graph : List.of("res32x32", "res16x16")) {
            Map<String, Integer> b = before.get(graph);
            Map<String, Integer> a = after.get(graph);
            System.out.printf("%s: compact %d ops %s%n  tiled %d ops %s%n", graph, OpCensus.total(b), b, OpCensus.total(a), a);
            for (String op : List.of("CONV_2D", "FULLY_CONNECTED", "MEAN", "LOGISTIC", "DEQUANTIZE", "SQRT", "DIV")) {
                assertEquals(b.get(op), a.get(op), graph + ": " + op);
            }
            assertEquals(null, a.get("RSQRT"), graph);
            assertEquals(35, a.get("MAXIMUM"), graph + ": one per GroupNorm outside attention (variance kept >= eps)");
            Map<String, Integer> outside = new LinkedHashMap<>(a);
            outside.keySet().retainAll(OUTSIDE_XNNPACK);
            Map<String, Integer> outsideBefore = new LinkedHashMap<>(b);
            outsideBefore.keySet().retainAll(OUTSIDE_XNNPACK);
            assertEquals(outsideBefore, outside, graph + ": no op more outside XNNPACK");
        }
    }

    @Test
    void compactFormHasFewerOpsAllOfGroupNormInsideXnnpack() throws Exception {
        Map<String, Map<String, Integer>> before = OpCensus.ofFile(Files.readAllBytes(legacy.modelFile()));
        Map<String, Map<String, Integer>> after = OpCensus.ofFile(Files.readAllBytes(compact.modelFile()));
        for (String graph : List.of("res32x32", "res16x16", "shape_free")) {
            Map<String, Integer> b = before.get(graph);
            Map<String, Integer> a = after.get(graph);
            System.out.printf("%s: legacy %d ops (%d without DEQUANTIZE) %s%n  compact %d ops (%d without DEQUANTIZE) %s%n",
                    graph, OpCensus.total(b), OpCensus.total(b) - b.get("DEQUANTIZE"), b,
                    OpCensus.total(a), OpCensus.total(a) - a.get("DEQUANTIZE"), a);
            assertEquals(41, b.get("RSQRT"), graph + ": one RSQRT per GroupNorm in the legacy form");
            assertEquals(null, a.get("RSQRT"), graph);
            assertEquals(41, a.get("SQRT"), graph);
            assertEquals(b.get("CONV_2D"), a.get("CONV_2D"), graph);
            assertEquals(b.get("FULLY_CONNECTED"), a.get("FULLY_CONNECTED"), graph);
            assertTrue(OpCensus.total(a) - a.get("DEQUANTIZE") <= OpCensus.total(b) - b.get("DEQUANTIZE") - 60,
                    graph + ": at least 60 fewer compute ops");
            assertTrue(a.get("RESHAPE") <= b.get("RESHAPE") - 16, graph + ": one reshape for all time projections");
        }
        for (String graph : List.of("res32x32", "res16x16")) {
            Map<String, Integer> outside = new LinkedHashMap<>(after.get(graph));
            outside.keySet().retainAll(OUTSIDE_XNNPACK);
            System.out.println(graph + " ops XNNPACK 2.6.2 leaves to TFLite: " + outside);
            assertEquals(Map.of("BATCH_MATMUL", 12, "CONCATENATION", 10, "COS", 1, "RESIZE_NEAREST_NEIGHBOR", 2, "SIN", 1),
                    outside, graph + ": GroupNorm no longer splits the delegated graph");
        }
    }

    @Test
    void bothFormsMatchEachOtherAndTheReferenceAtBothResolutions() throws Exception {
        // the reference on the weights as the fp16 files hold them
        Map<String, float[]> rounded = new LinkedHashMap<>();
        weights.tensors().forEach((k, v) -> {
            float[] r = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                r[i] = Half.round(v[i]);
            }
            rounded.put(k, r);
        });
        ReferenceUnet reference = new ReferenceUnet(UnetWeights.of(weights.config(), rounded));
        try (TfliteDenoiser before = TfliteDenoiser.open(legacy.modelFile(), legacy.info());
             TfliteDenoiser after = TfliteDenoiser.open(compact.modelFile(), compact.info());
             TfliteDenoiser tiledModel = TfliteDenoiser.open(tiled.modelFile(), tiled.info())) {
            for (int label = 0; label < RESOLUTIONS.size(); label++) {
                Resolution r = RESOLUTIONS.get(label);
                for (int t : new int[] {10, 500, 990}) {
                    int batch = 2;
                    float[] x = gaussian(batch * r.pixels() * 3, 31L * t + label);
                    float[] a = before.predictNoise(new ImageBatch(x.clone(), batch, r, 3), t).data();
                    float[] b = after.predictNoise(new ImageBatch(x.clone(), batch, r, 3), t).data();
                    float[] c = tiledModel.predictNoise(new ImageBatch(x.clone(), batch, r, 3), t).data();
                    float[] ts = new float[batch];
                    Arrays.fill(ts, t);
                    float[] ref = reference.forward(new Nhwc(x, batch, r.height(), r.width(), 3), ts, label).data();
                    float bound = 1e-4f * Math.max(1f, maxAbs(ref));
                    System.out.printf("%s t=%d: |compact - legacy| %.3g, |legacy - reference| %.3g, "
                            + "|compact - reference| %.3g (max |ref| %.3g)%n", r, t, maxAbsDiff(a, b),
                            maxAbsDiff(a, ref), maxAbsDiff(b, ref), maxAbs(ref));
                    assertTrue(maxAbsDiff(a, b) <= bound, r + " t=" + t + ": compact vs legacy " + maxAbsDiff(a, b));
                    assertTrue(maxAbsDiff(a, ref) <= bound, r + " t=" + t + ": legacy vs reference");
                    assertTrue(maxAbsDiff(b, ref) <= bound, r + " t=" + t + ": compact vs reference");
                    System.out.printf("%s t=%d: |tiled - reference| %.3g, |tiled - compact| %.3g%n", r, t,
                            maxAbsDiff(c, ref), maxAbsDiff(c, b));
                    assertTrue(maxAbsDiff(c, ref) <= bound, r + " t=" + t + ": tiled vs reference " + maxAbsDiff(c, ref));
                }
            }
        }
    }

    /** Whole sampler runs agree too, so schedules searched on the legacy file hold for the compact one. */
    @Test
    void samplerRunsAgreeOverWholeTrajectories() throws Exception {
        int steps = 10;
        List<C2fPlan> plans = List.of(
                C2fPlan.fullResolution(TimestepSpacing.uniform(steps, 1000), RESOLUTIONS.get(0), 0),
                new C2fPlan(TimestepSpacing.uniform(steps, 1000), steps / 2, RESOLUTIONS.get(1), RESOLUTIONS.get(0),
                        SwitchMethod.UPSAMPLE_XT_VARIANCE_CORRECTED, Interpolation.NEAREST, 0));
        NoiseSchedule schedule = NoiseSchedule.fromSpec(shipped.getNoiseSchedule());
        long[] seeds = {1000, 1001};
        try (TfliteDenoiser before = TfliteDenoiser.open(legacy.modelFile(), legacy.info());
             TfliteDenoiser after = TfliteDenoiser.open(compact.modelFile(), compact.info());
             TfliteDenoiser tiledModel = TfliteDenoiser.open(tiled.modelFile(), tiled.info())) {
            for (C2fPlan plan : plans) {
                float[] a = new C2fExecutor(before, schedule).run(plan, seeds).images().data();
                float[] b = new C2fExecutor(after, schedule).run(plan, seeds).images().data();
                float[] c = new C2fExecutor(tiledModel, schedule).run(plan, seeds).images().data();
                System.out.printf("%d steps, %d at low resolution: max |image difference| %.3g (compact), %.3g (tiled)%n",
                        steps, plan.switchIndex(), maxAbsDiff(a, b), maxAbsDiff(a, c));
                assertTrue(maxAbsDiff(a, b) <= 1e-4f, "images differ by " + maxAbsDiff(a, b));
                assertTrue(maxAbsDiff(a, c) <= 1e-4f, "tiled: images differ by " + maxAbsDiff(a, c));
            }
        }
    }

    private static ModelFile onnx(ModelInfo info) {
        return info.getModelFilesList().stream().filter(f -> f.getPath().endsWith(".onnx")).findFirst().orElseThrow();
    }
}
