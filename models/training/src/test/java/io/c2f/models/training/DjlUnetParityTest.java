package io.c2f.models.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.c2f.models.reference.Nhwc;
import io.c2f.models.reference.ReferenceUnet;
import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;
import io.c2f.models.tflite.TfliteDenoiser;
import io.c2f.models.unet.UnetConfig;
import io.c2f.models.unet.UnetExporter;
import io.c2f.models.unet.UnetWeights;
import io.c2f.models.writer.WeightType;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The DJL graph computes what the plain-Java reference and the exported TFLite model compute. */
class DjlUnetParityTest {
    private static final UnetConfig CFG = UnetConfig.edgeSmall();

    @Test
    void namesAndShapesMapOneToOne() {
        UnetWeights w = UnetWeights.random(CFG, 1, 0.5);
        try (NDManager m = NDManager.newBaseManager(); DjlUnet model = DjlUnet.fromUnetWeights(m, w)) {
            assertEquals(CFG.parameterShapes().keySet(), model.parameters().keySet());
            UnetWeights back = model.toUnetWeights();
            for (String name : CFG.parameterShapes().keySet()) {
                assertTrue(java.util.Arrays.equals(w.get(name), back.get(name)), name);
            }
            assertEquals(DjlUnet.CONV_OUT_PADDED, model.parameters().get("conv_out.weight").getShape().get(0));
        }
    }

    @Test
    void matchesReferenceAndTflite(@TempDir Path dir) throws Exception {
        UnetWeights w = UnetWeights.random(CFG, 7, 0.5);
        List<Resolution> resolutions = List.of(new Resolution(32, 32), new Resolution(16, 16));
        UnetExporter.ExportedModel exported = UnetExporter.export(w, resolutions, WeightType.FP32, "parity",
                dir.resolve("model.tflite"));
        ReferenceUnet reference = new ReferenceUnet(w);
        try (NDManager m = NDManager.newBaseManager(); DjlUnet model = DjlUnet.fromUnetWeights(m, w);
             TfliteDenoiser tflite = TfliteDenoiser.open(exported.modelFile(), exported.info())) {
            for (int label = 0; label < resolutions.size(); label++) {
                Resolution r = resolutions.get(label);
                int n = 2;
                float[] x = gaussian(n * r.height() * r.width() * 3, 11 + label);
                float[] t = {417, 417};
                float[] djl;
                try (NDManager step = m.newSubManager()) {
                    NDArray out = model.forward(Layouts.nchw(step, x, n, r.height(), r.width(), 3), t, label);
                    djl = Layouts.nhwc(out);
                }
                float[] ref = reference.forward(new Nhwc(x, n, r.height(), r.width(), 3), t, label).data();
                float[] lite = tflite.predictNoise(new ImageBatch(x, n, r, 3), 417).data();
                double errRef = maxAbs(djl, ref);
                double errLite = maxAbs(djl, lite);
                System.out.printf("parity %dx%d label %d: max|djl-reference| = %.3g, max|djl-tflite| = %.3g, max|out| = %.3g%n",
                        r.height(), r.width(), label, errRef, errLite, maxAbs(ref, new float[ref.length]));
                assertTrue(errRef < 1e-4, "DJL vs reference " + errRef);
                assertTrue(errLite < 1e-4, "DJL vs TFLite " + errLite);
            }
            // label 1 at 32x32 differs from label 0: the label embedding is wired in
            float[] x = gaussian(32 * 32 * 3, 3);
            try (NDManager step = m.newSubManager()) {
                float[] a = model.forward(Layouts.nchw(step, x, 1, 32, 32, 3), new float[] {100}, 0).toFloatArray();
                float[] b = model.forward(Layouts.nchw(step, x, 1, 32, 32, 3), new float[] {100}, 1).toFloatArray();
                assertTrue(maxAbs(a, b) > 1e-3, "labels 0 and 1 gave the same output");
            }
        }
    }

    static float[] gaussian(int size, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[size];
        for (int i = 0; i < size; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    static double maxAbs(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
