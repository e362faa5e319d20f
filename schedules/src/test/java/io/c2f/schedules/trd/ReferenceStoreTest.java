package io.c2f.schedules.trd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.models.diffusion.NoiseSchedule;
import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;
import io.c2f.models.synthetic.TwoScaleGaussianDenoiser;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReferenceStoreTest {
    private static final NoiseSchedule DDPM = NoiseSchedule.ddpmLinear();
    private static final Resolution HIGH = Resolution.square(16);
    private static final String SHA = "ab".repeat(32);

    private static TwoScaleGaussianDenoiser model() {
        return new TwoScaleGaussianDenoiser(DDPM, Resolution.square(8), HIGH, 0.25, 0.01);
    }

    @Test
    void aStoredReferenceIsReadBackBitForBitInsteadOfRecomputed(@TempDir Path dir) throws Exception {
        long[] seeds = {3, 4, 5};
        ReferenceStore store = ReferenceStore.directory(dir);
        ReferenceFidelity first = new ReferenceFidelity(model(), DDPM, 20, HIGH, store, SHA);
        ImageBatch computed = first.reference(seeds);
        assertEquals(0, first.loadedFromStore());
        assertEquals(1, Files.list(dir).count());

        ReferenceFidelity second = new ReferenceFidelity(model(), DDPM, 20, HIGH, store, SHA);
        ImageBatch loaded = second.reference(seeds);
        assertEquals(1, second.loadedFromStore());
        assertEquals(0.0, second.referenceSeconds());
        assertArrayEquals(computed.data(), loaded.data());
        assertEquals(computed.toString(), loaded.toString());

        // another seed set, step count or model is another key
        new ReferenceFidelity(model(), DDPM, 20, HIGH, store, SHA).reference(new long[] {3, 4});
        new ReferenceFidelity(model(), DDPM, 10, HIGH, store, SHA).reference(seeds);
        new ReferenceFidelity(model(), DDPM, 20, HIGH, store, "cd".repeat(32)).reference(seeds);
        assertEquals(4, Files.list(dir).count());
        // a model without identity is never stored
        new ReferenceFidelity(model(), DDPM, 20, HIGH, store, "").reference(new long[] {9});
        assertEquals(4, Files.list(dir).count());
        assertNotEquals(ReferenceStore.key(SHA, "a"), ReferenceStore.key(SHA, "b"));
    }

    @Test
    void aTruncatedFileIsAnErrorNamingIt(@TempDir Path dir) throws Exception {
        ReferenceStore store = ReferenceStore.directory(dir);
        new ReferenceFidelity(model(), DDPM, 5, HIGH, store, SHA).reference(new long[] {1});
        List<Path> files = Files.list(dir).toList();
        Files.write(files.get(0), java.util.Arrays.copyOf(Files.readAllBytes(files.get(0)), 100));
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> new ReferenceFidelity(model(), DDPM, 5, HIGH, store, SHA).reference(new long[] {1}));
        assertTrue(e.getCause().getMessage().contains("corrupt reference file " + files.get(0)),
                e.getCause().getMessage());
    }
}
