package io.c2f.models.tflite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.models.diffusion.Denoiser;
import io.c2f.models.engine.DenoiserSource;
import io.c2f.models.tensor.Resolution;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TfliteDenoiserEngineTest {
    private static final Path ZOO_MODEL = Path.of("../zoo/emoji32-c2f/model.tflite");

    /** The runtime's factory finds this engine through ServiceLoader and opens the shipped model with it. */
    @Test
    void denoiserSourceOpensATfliteFileThroughTheRegisteredEngine() throws Exception {
        DenoiserSource source = DenoiserSource.forModel(ZOO_MODEL.toString(), 1);
        assertEquals(Resolution.square(32), source.highResolution());
        assertEquals(Optional.of(Resolution.square(16)), source.lowResolution());
        assertEquals(64, source.modelSha256().length());
        try (Denoiser d = source.open()) {
            assertTrue(d instanceof TfliteDenoiser, d.getClass().getName());
            assertTrue(d.engine().startsWith("tflite/"), d.engine());
            assertEquals(Set.of(Resolution.square(16), Resolution.square(32)), d.resolutions());
        }
    }

    @Test
    void aFileNoEngineOpensIsRefusedNamingTheSuffixesThatWork(@TempDir Path dir) throws Exception {
        Path onnx = Files.writeString(dir.resolve("model.onnx"), "not a model");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DenoiserSource.forModel(onnx.toString()));
        assertEquals("--model " + onnx + ": expected a .tflite model file (with its .json manifest beside it) "
                + "or 'synthetic'", e.getMessage());
    }
}
