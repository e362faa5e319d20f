package io.c2f.models.unet;

import static io.c2f.models.testing.FloatArrays.gaussian;
import static io.c2f.models.testing.FloatArrays.maxAbs;
import static io.c2f.models.testing.FloatArrays.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.models.diffusion.DenoiserException;
import io.c2f.models.reference.Nhwc;
import io.c2f.models.reference.ReferenceUnet;
import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;
import io.c2f.models.tflite.TfliteDenoiser;
import io.c2f.models.writer.WeightType;
import io.c2f.proto.v1.ModelInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.lite.Interpreter;

/** A whole small UNet, exported and run by real TFLite interpreters, against the plain-Java reference. */
class UnetExportTest {
    /** Small, but with every block kind: shortcut convs, attention in down/mid/up, down and up sampling. */
    static final UnetConfig TINY = new UnetConfig(16, List.of(1, 2), 1, Set.of(1), 4, 32, 2, 3, 1e-6f);
    static final List<Resolution> RESOLUTIONS = List.of(Resolution.square(8), Resolution.square(16));

    @TempDir
    Path dir;

    @Test
    void fixedResolutionGraphsMatchReferenceAtBothResolutionsAndBatchSizes() throws Exception {
        UnetWeights weights = UnetWeights.random(TINY, 7, 0.5);
        UnetExporter.ExportedModel exported = UnetExporter.export(weights, RESOLUTIONS, WeightType.FP32, "tiny",
                dir.resolve("tiny.tflite"));
        ModelInfo info = UnetExporter.readManifest(exported.manifestFile());
        assertEquals(exported.info(), info, "manifest JSON round trip");
        assertEquals(weights.parameterCount(), info.getParameters());
        ReferenceUnet reference = new ReferenceUnet(weights);
        try (TfliteDenoiser denoiser = TfliteDenoiser.open(exported.modelFile(), info)) {
            assertEquals("tflite/xnnpack", denoiser.engine());
            assertEquals(Set.copyOf(RESOLUTIONS), denoiser.resolutions());
            for (int label = 0; label < RESOLUTIONS.size(); label++) {
                Resolution r = RESOLUTIONS.get(label);
                for (int batch : new int[] {1, 4, 1}) {
                    int t = 37 + 300 * label + batch;
                    float[] x = gaussian(batch * r.pixels() * 3, 100L * label + batch);
                    float[] eps = denoiser.predictNoise(new ImageBatch(x.clone(), batch, r, 3), t).data();
                    float[] ts = new float[batch];
                    java.util.Arrays.fill(ts, t);
                    float[] ref = reference.forward(new Nhwc(x, batch, r.height(), r.width(), 3), ts, label).data();
                    float err = maxAbsDiff(eps, ref);
                    System.out.printf("UNet %s batch %d label %d: max abs error %.3g (max |ref| %.3g)%n", r, batch,
                            label, err, maxAbs(ref));
                    assertTrue(err <= 1e-4f * Math.max(1f, maxAbs(ref)), "error " + err + " at " + r + " batch " + batch);
                }
            }
        }
    }

    @Test
    void labelEmbeddingChangesTheOutputAndZeroLabelsDoNot() throws Exception {
        UnetWeights zero = UnetWeights.random(TINY, 7, 0.0);
        UnetWeights labelled = zero.with("class_embedding.weight", gaussian(2 * TINY.timeEmbedDim(), 3));
        Resolution r = Resolution.square(8);
        float[] x = gaussian(r.pixels() * 3, 5);
        Nhwc in = new Nhwc(x, 1, 8, 8, 3);
        float[] a = new ReferenceUnet(zero).forward(in, new float[] {10}, 0).data();
        float[] b = new ReferenceUnet(zero).forward(in, new float[] {10}, 1).data();
        float[] c = new ReferenceUnet(labelled).forward(in, new float[] {10}, 1).data();
        assertArrayEquals(a, b, "zero label embeddings must leave the model unchanged");
        assertTrue(maxAbsDiff(a, c) > 1e-3f, "a non-zero label embedding must change the prediction");
    }

    @Test
    void shapeFreeRootGraphRunsAnyResolutionAndBatch() throws Exception {
        UnetWeights weights = UnetWeights.random(TINY, 11, 0.5);
        UnetExporter.ExportedModel exported = UnetExporter.export(weights, RESOLUTIONS, WeightType.FP32, "tiny",
                dir.resolve("tiny.tflite"));
        TfliteDenoiser.loadNativeLibrary();
        byte[] bytes = Files.readAllBytes(exported.modelFile());
        ByteBuffer model = ByteBuffer.allocateDirect(bytes.length).order(ByteOrder.nativeOrder()).put(bytes);
        model.rewind();
        ReferenceUnet reference = new ReferenceUnet(weights);
        try (Interpreter interpreter = new Interpreter(model, new Interpreter.Options().setUseXNNPACK(true))) {
            for (int[] shape : new int[][] {{2, 12, 12}, {1, 16, 16}}) {
                int n = shape[0];
                int label = 1;
                float[] x = gaussian(n * shape[1] * shape[2] * 3, shape[1]);
                float[] t = new float[n];
                java.util.Arrays.fill(t, 500f);
                int xi = interpreter.getInputIndex("x");
                int ti = interpreter.getInputIndex("t");
                int li = interpreter.getInputIndex("label");
                interpreter.resizeInput(xi, new int[] {n, shape[1], shape[2], 3});
                interpreter.resizeInput(ti, new int[] {n});
                interpreter.resizeInput(li, new int[] {n});
                interpreter.allocateTensors();
                Object[] inputs = new Object[3];
                inputs[xi] = direct(x);
                inputs[ti] = direct(t);
                ByteBuffer labels = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder());
                for (int i = 0; i < n; i++) {
                    labels.putInt(label);
                }
                labels.rewind();
                inputs[li] = labels;
                ByteBuffer out = ByteBuffer.allocateDirect(x.length * 4).order(ByteOrder.nativeOrder());
                Map<Integer, Object> outputs = new HashMap<>();
                outputs.put(0, out);
                interpreter.runForMultipleInputsOutputs(inputs, outputs);
                float[] eps = new float[x.length];
                out.rewind();
                out.asFloatBuffer().get(eps);
                float[] ref = reference.forward(new Nhwc(x, n, shape[1], shape[2], 3), t, label).data();
                float err = maxAbsDiff(eps, ref);
                System.out.printf("UNet shape-free %dx%d batch %d: max abs error %.3g%n", shape[1], shape[2], n, err);
                assertTrue(err <= 1e-4f * Math.max(1f, maxAbs(ref)), "shape-free error " + err);
            }
        }
    }

    @Test
    void fp16WeightsErrorIsMeasuredAndSmall() throws Exception {
        UnetWeights weights = UnetWeights.random(TINY, 13, 0.5);
        UnetExporter.ExportedModel fp32 = UnetExporter.export(weights, RESOLUTIONS, WeightType.FP32, "tiny32",
                dir.resolve("tiny32.tflite"));
        UnetExporter.ExportedModel fp16 = UnetExporter.export(weights, RESOLUTIONS, WeightType.FP16, "tiny16",
                dir.resolve("tiny16.tflite"));
        assertEquals("fp16", fp16.info().getWeightType());
        Resolution r = Resolution.square(16);
        float[] x = gaussian(2 * r.pixels() * 3, 1);
        float[] ref = new ReferenceUnet(weights).forward(new Nhwc(x, 2, 16, 16, 3), new float[] {250, 250}, 1).data();
        float e32 = error(fp32, x, r, ref);
        float e16 = error(fp16, x, r, ref);
        System.out.printf("UNet 16x16 fp32 weights: max abs error %.3g; fp16 weights: %.3g (max |ref| %.3g); file %d vs %d bytes%n",
                e32, e16, maxAbs(ref), fp32.fileBytes(), fp16.fileBytes());
        assertTrue(e16 > e32, "fp16 weights must differ from fp32");
        assertTrue(e16 < 2e-2f * Math.max(1f, maxAbs(ref)), "fp16 error too large: " + e16);
        assertTrue(fp16.fileBytes() < fp32.fileBytes() * 0.75, "fp16 file must be smaller (weights dominate only in big models)");
    }

    private static float error(UnetExporter.ExportedModel m, float[] x, Resolution r, float[] ref) throws DenoiserException {
        try (TfliteDenoiser d = TfliteDenoiser.open(m.modelFile(), m.info())) {
            return maxAbsDiff(d.predictNoise(new ImageBatch(x.clone(), 2, r, 3), 250).data(), ref);
        }
    }

    @Test
    void safetensorsRoundTrip() throws Exception {
        UnetWeights weights = UnetWeights.random(TINY, 17, 0.5);
        Path file = dir.resolve("w.safetensors");
        weights.save(file);
        UnetWeights loaded = UnetWeights.load(file, TINY);
        for (String name : weights.tensors().keySet()) {
            assertArrayEquals(weights.get(name), loaded.get(name), name);
        }
        byte[] head = Files.readAllBytes(file);
        long headerLength = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        String json = new String(head, 8, (int) headerLength, java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(json.contains("\"down_blocks.1.attentions.0.to_q.weight\":{\"dtype\":\"F32\",\"shape\":[32,32]"), json);
    }

    @Test
    void wrongShaFailsToOpen() throws Exception {
        UnetWeights weights = UnetWeights.random(TINY, 7, 0.5);
        UnetExporter.ExportedModel exported = UnetExporter.export(weights, RESOLUTIONS, WeightType.FP32, "tiny",
                dir.resolve("tiny.tflite"));
        ModelInfo bad = exported.info().toBuilder().setModelSha256("00".repeat(32)).build();
        DenoiserException e = org.junit.jupiter.api.Assertions.assertThrows(DenoiserException.class,
                () -> TfliteDenoiser.open(exported.modelFile(), bad));
        assertTrue(e.getMessage().contains("sha256"), e.getMessage());
    }

    private static ByteBuffer direct(float[] a) {
        ByteBuffer b = ByteBuffer.allocateDirect(a.length * 4).order(ByteOrder.nativeOrder());
        b.asFloatBuffer().put(a);
        return b;
    }

    /**
     * The same UNet through the delegate chain: a GPU delegate library that is absent falls through
     * with its reason, and an external delegate loaded through the C API (this runtime's own
     * XNNPACK, standing in for a vendor GPU delegate) runs the graphs with the reference's numbers.
     */
    @Test
    void theDelegateChainRunsTheUnetAndReportsWhatRan() throws Exception {
        UnetWeights weights = UnetWeights.random(TINY, 11, 0.5);
        UnetExporter.ExportedModel exported = UnetExporter.export(weights, RESOLUTIONS, WeightType.FP32, "tiny",
                dir.resolve("chain.tflite"));
        ModelInfo info = exported.info();
        String jni = TfliteDenoiser.loadNativeLibrary().toAbsolutePath().toString();
        io.c2f.models.tflite.RuntimeOptions options = io.c2f.models.tflite.RuntimeOptions.parse("1",
                "gpu:/nonexistent/libtensorflowlite_gpu_delegate.so:TfLiteGpuDelegateV2Create:TfLiteGpuDelegateV2Delete,"
                        + "vendor:" + jni + ":TfLiteXNNPackDelegateCreate:TfLiteXNNPackDelegateDelete,xnnpack,cpu");
        ReferenceUnet reference = new ReferenceUnet(weights);
        try (TfliteDenoiser denoiser = TfliteDenoiser.open(exported.modelFile(), info, options)) {
            assertEquals("tflite/vendor", denoiser.engine());
            var outcomes = denoiser.delegateOutcomes().get(RESOLUTIONS.get(1));
            assertEquals("gpu", outcomes.get(0).name());
            assertEquals(io.c2f.models.tflite.LinkOutcome.Status.UNAVAILABLE, outcomes.get(0).status());
            assertTrue(outcomes.get(0).reason().contains("not found"), outcomes.get(0).reason());
            assertEquals(io.c2f.models.tflite.LinkOutcome.Status.ACTIVE, outcomes.get(1).status());
            Resolution r = RESOLUTIONS.get(1);
            float[] x = gaussian(2 * r.pixels() * 3, 5);
            float[] eps = denoiser.predictNoise(new ImageBatch(x.clone(), 2, r, 3), 500).data();
            float[] ref = reference.forward(new Nhwc(x, 2, r.height(), r.width(), 3), new float[] {500, 500}, 1)
                    .data();
            float err = maxAbsDiff(eps, ref);
            System.out.printf("UNet through an external delegate (C API): max abs error %.3g%n", err);
            assertTrue(err <= 1e-4f * Math.max(1f, maxAbs(ref)), "error " + err);
        }
    }

    /** A damaged file behind a manifest without a sha256 still gives a precise error, never a crash. */
    @Test
    void truncatedOrForeignFilesAreRefusedPrecisely() throws Exception {
        UnetExporter.ExportedModel exported = UnetExporter.export(UnetWeights.random(TINY, 2, 0.5), RESOLUTIONS,
                WeightType.FP32, "tiny", dir.resolve("ok.tflite"));
        ModelInfo noSha = exported.info().toBuilder().clearModelSha256().build();
        byte[] bytes = Files.readAllBytes(exported.modelFile());
        Path truncated = dir.resolve("truncated.tflite");
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length / 3));
        DenoiserException e = org.junit.jupiter.api.Assertions.assertThrows(DenoiserException.class,
                () -> TfliteDenoiser.open(truncated, noSha));
        assertTrue(e.getMessage().contains("truncated.tflite"), e.getMessage());
        System.out.println("truncated model error: " + e.getMessage());
        Path png = dir.resolve("not-a-model.tflite");
        Files.write(png, new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13, 'I', 'H', 'D', 'R'});
        e = org.junit.jupiter.api.Assertions.assertThrows(DenoiserException.class, () -> TfliteDenoiser.open(png, noSha));
        assertTrue(e.getMessage().contains("not-a-model.tflite is not a TFLite model: expected file identifier TFL3"),
                e.getMessage());
    }
}
