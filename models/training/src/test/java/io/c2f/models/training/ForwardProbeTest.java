package io.c2f.models.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.models.unet.Safetensors;
import io.c2f.models.unet.UnetConfig;
import io.c2f.models.unet.UnetWeights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Forward probes tie another implementation of the UNet (the CUDA trainer) to DjlUnet. */
class ForwardProbeTest {
    private static final Path ZOO_CHECKPOINT = Path.of("../zoo/emoji32-c2f/checkpoint");

    @Test
    void aProbeMatchesItsOwnWeightsAndNotOthers(@TempDir Path dir) throws IOException {
        UnetWeights a = UnetWeights.random(UnetConfig.edgeSmall(), 1, 0.5);
        UnetWeights b = UnetWeights.random(UnetConfig.edgeSmall(), 2, 0.5);
        Path probe = dir.resolve("probe.safetensors");
        ForwardProbe.write(a, 2, probe);
        assertEquals(0.0, ForwardProbe.check(a, probe), 1e-6);
        assertTrue(ForwardProbe.check(b, probe) > 1e-2, "other weights must not pass the probe");
    }

    /**
     * The committed checkpoint was last trained by models/training/gpu/train_gpu.py (PyTorch on CUDA),
     * which wrote this probe from its own forward of the EMA weights: DjlUnet must agree.
     */
    @Test
    void theCudaTrainersForwardMatchesDjlUnetOnTheShippedCheckpoint() throws IOException {
        Checkpoints.Loaded c = Checkpoints.load(ZOO_CHECKPOINT, UnetConfig.edgeSmall());
        double err = ForwardProbe.check(c.ema(), ZOO_CHECKPOINT.resolve("probe-torch-cuda.safetensors"));
        assertTrue(err < 1e-3, "max |torch(cuda) - DjlUnet| = " + err);
    }

    @Test
    void aFileWithoutTheProbeTensorsIsRefusedByName(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("not-a-probe.safetensors");
        Map<String, float[]> t = new LinkedHashMap<>();
        t.put("x_full", new float[3 * 32 * 32]);
        Safetensors.write(file, t, Map.of("x_full", new int[] {1, 3, 32, 32}));
        IOException e = assertThrows(IOException.class,
                () -> ForwardProbe.check(UnetWeights.random(UnetConfig.edgeSmall(), 1, 0.5), file));
        assertTrue(e.getMessage().contains("no tensor 'x_low'"), e.getMessage());
        assertTrue(Files.exists(file));
    }
}
