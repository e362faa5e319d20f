package io.c2f.models.onnx;

import static io.c2f.models.onnx.Arrays2.gaussian;
import static io.c2f.models.onnx.Arrays2.maxAbs;
import static io.c2f.models.onnx.Arrays2.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.models.reference.Nhwc;
import io.c2f.models.reference.ReferenceUnet;
import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;
import io.c2f.models.unet.UnetConfig;
import io.c2f.models.unet.UnetExporter;
import io.c2f.models.unet.UnetWeights;
import io.c2f.models.writer.WeightType;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exported ONNX graph run by ONNX Runtime against the plain-Java reference forward, both resolutions and labels. */
class OnnxReferenceParityTest {
    /** Every block kind: shortcut convs, attention down/mid/up, down and up sampling. */
    static final UnetConfig TINY = new UnetConfig(16, List.of(1, 2), 1, Set.of(1), 4, 32, 2, 3, 1e-6f);
    static final List<Resolution> RESOLUTIONS = List.of(Resolution.square(8), Resolution.square(16));

    @TempDir
    Path dir;

    @Test
    void onnxRuntimeMatchesTheReferenceAtBothResolutionsLabelsAndBatchSizes() throws Exception {
        UnetWeights weights = UnetWeights.random(TINY, 7, 0.5);
        UnetExporter.ExportedModel exported = UnetExporter.export(weights, RESOLUTIONS, WeightType.FP32, "tiny",
                dir.resolve("tiny.tflite"));
        ReferenceUnet reference = new ReferenceUnet(weights);
        try (OnnxDenoiser denoiser = OnnxDenoiser.open(exported.onnxFile(), exported.info(), OnnxOptions.cpu(1))) {
            assertEquals("onnxruntime/cpu", denoiser.engine());
            assertEquals("cpu", denoiser.executionProvider());
            assertEquals(Set.copyOf(RESOLUTIONS), denoiser.resolutions());
            for (int label = 0; label < RESOLUTIONS.size(); label++) {
                Resolution r = RESOLUTIONS.get(label);
                assertEquals(exported.info().getMacsPerForward(label).getMacs(), denoiser.macsPerForward(r));
                for (int batch : new int[] {1, 3, 1}) {
                    int t = 41 + 300 * label + batch;
                    float[] x = gaussian(batch * r.pixels() * 3, 100L * label + batch);
                    float[] eps = denoiser.predictNoise(new ImageBatch(x.clone(), batch, r, 3), t).data();
                    float[] ts = new float[batch];
                    Arrays.fill(ts, t);
                    float[] ref = reference.forward(new Nhwc(x, batch, r.height(), r.width(), 3), ts, label).data();
                    float err = maxAbsDiff(eps, ref);
                    System.out.printf("ONNX tiny UNet %s batch %d label %d: max abs error %.3g (max |ref| %.3g)%n", r,
                            batch, label, err, maxAbs(ref));
                    assertTrue(err <= 1e-4f * Math.max(1f, maxAbs(ref)), "error " + err + " at " + r + " batch " + batch);
                }
            }
        }
    }

    @Test
    void theLabelInputSelectsTheEmbeddingRow() throws Exception {
        // the same 8x8 input under label 0 (the 8x8 session) and label 1 (a manifest mapping 8x8 to label 1)
        UnetWeights weights = UnetWeights.random(TINY, 7, 0.5);
        UnetExporter.ExportedModel exported = UnetExporter.export(weights, RESOLUTIONS, WeightType.FP32, "tiny",
                dir.resolve("tiny.tflite"));
        var swapped = exported.info().toBuilder().clearResolutionLabels().putResolutionLabels(8, 1)
                .putResolutionLabels(16, 0).build();
        Resolution r = Resolution.square(8);
        float[] x = gaussian(r.pixels() * 3, 11);
        float[] ref1 = new ReferenceUnet(weights).forward(new Nhwc(x, 1, 8, 8, 3), new float[] {500}, 1).data();
        try (OnnxDenoiser denoiser = OnnxDenoiser.open(exported.onnxFile(), swapped, OnnxOptions.cpu(1))) {
            float[] eps = denoiser.predictNoise(new ImageBatch(x.clone(), 1, r, 3), 500).data();
            float err = maxAbsDiff(eps, ref1);
            System.out.printf("ONNX tiny UNet 8x8 under label 1: max abs error %.3g%n", err);
            assertTrue(err <= 1e-4f * Math.max(1f, maxAbs(ref1)), "error " + err);
        }
    }
}
