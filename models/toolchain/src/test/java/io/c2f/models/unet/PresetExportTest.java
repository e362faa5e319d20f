package io.c2f.models.unet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;
import io.c2f.models.tflite.TfliteDenoiser;
import io.c2f.models.writer.WeightType;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exports both presets at 16x16 + 32x32, prints parameters, MACs and file sizes, and runs them once. */
class PresetExportTest {
    @TempDir
    Path dir;

    @Test
    void ddpmCifar10MatchesThePublishedSize() throws Exception {
        UnetConfig cfg = UnetConfig.ddpmCifar10();
        long withoutLabels = cfg.parameterCount() - (long) cfg.numResolutionLabels() * cfg.timeEmbedDim();
        System.out.printf("ddpmCifar10: %d parameters (%d without the label embedding)%n", cfg.parameterCount(), withoutLabels);
        assertEquals(35.7e6, withoutLabels, 0.05e6, "google/ddpm-cifar10-32 has 35.7M parameters");
        exportAndRun("ddpmCifar10", cfg);
    }

    @Test
    void edgeSmall() throws Exception {
        exportAndRun("edgeSmall", UnetConfig.edgeSmall());
    }

    private void exportAndRun(String name, UnetConfig cfg) throws Exception {
        UnetWeights weights = UnetWeights.random(cfg, 1, 0.0);
        List<Resolution> res = List.of(Resolution.square(16), Resolution.square(32));
        for (WeightType type : WeightType.values()) {
            UnetExporter.ExportedModel m = UnetExporter.export(weights, res, type, name,
                    dir.resolve(name + "-" + type.label() + ".tflite"));
            System.out.printf("%s %s: %d params, file %.2f MB, MACs 16x16 %.4f G, 32x32 %.4f G%n", name, type.label(),
                    m.info().getParameters(), m.fileBytes() / 1e6, m.info().getMacsPerForward(0).getMacs() / 1e9,
                    m.info().getMacsPerForward(1).getMacs() / 1e9);
            long m16 = m.info().getMacsPerForward(0).getMacs();
            long m32 = m.info().getMacsPerForward(1).getMacs();
            assertTrue(m32 > 3.5 * m16 && m32 < 4.5 * m16, "MACs should scale about 4x with 2x side");
            try (TfliteDenoiser d = TfliteDenoiser.open(m.modelFile(), m.info())) {
                ImageBatch eps = d.predictNoise(ImageBatch.zeros(1, Resolution.square(32), 3), 500);
                for (float v : eps.data()) {
                    assertTrue(Float.isFinite(v));
                }
            }
        }
    }
}
