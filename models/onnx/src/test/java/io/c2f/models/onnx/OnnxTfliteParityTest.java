package io.c2f.models.onnx;

import static io.c2f.models.onnx.Arrays2.gaussian;
import static io.c2f.models.onnx.Arrays2.maxAbs;
import static io.c2f.models.onnx.Arrays2.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;
import io.c2f.models.tflite.TfliteDenoiser;
import io.c2f.models.unet.UnetExporter;
import io.c2f.proto.v1.ModelInfo;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The shipped model's two files (same fp16 weights) in ONNX Runtime and TFLite/XNNPACK, at 32x32 and 16x16. */
class OnnxTfliteParityTest {
    static final Path ZOO = Path.of("../zoo/emoji32-c2f");
    /** Both run fp32 arithmetic on the same fp16 weights: only summation order differs. */
    static final float BOUND = 1e-3f;

    @Test
    void shippedModelAgreesWithTfliteAtBothResolutions() throws Exception {
        ModelInfo info = UnetExporter.readManifest(ZOO.resolve("model.json"));
        try (OnnxDenoiser onnx = OnnxDenoiser.open(ZOO.resolve("model.onnx"), info, OnnxOptions.cpu(1));
             TfliteDenoiser tflite = TfliteDenoiser.open(ZOO.resolve("model.tflite"), info)) {
            for (Resolution r : new Resolution[] {Resolution.square(32), Resolution.square(16)}) {
                for (int t : new int[] {10, 500, 990}) {
                    int batch = 2;
                    float[] x = gaussian(batch * r.pixels() * 3, 31L * t + r.height());
                    float[] a = onnx.predictNoise(new ImageBatch(x.clone(), batch, r, 3), t).data();
                    float[] b = tflite.predictNoise(new ImageBatch(x.clone(), batch, r, 3), t).data();
                    float err = maxAbsDiff(a, b);
                    System.out.printf("shipped model %s t=%d: ONNX Runtime vs TFLite max abs difference %.3g"
                            + " (max |eps| %.3g)%n", r, t, err, maxAbs(b));
                    assertTrue(err <= BOUND, "ONNX vs TFLite differ by " + err + " at " + r + " t=" + t);
                }
            }
        }
    }
}
