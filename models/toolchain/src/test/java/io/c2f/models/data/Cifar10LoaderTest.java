package io.c2f.models.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Cifar10LoaderTest {
    @TempDir
    Path dir;

    /** Records whose R plane is 10+i, G plane a gradient, B plane 200 - label. */
    static byte[] batch(int... labels) {
        byte[] b = new byte[labels.length * Cifar10Loader.RECORD_BYTES];
        for (int i = 0; i < labels.length; i++) {
            int base = i * Cifar10Loader.RECORD_BYTES;
            b[base] = (byte) labels[i];
            for (int p = 0; p < 1024; p++) {
                b[base + 1 + p] = (byte) (10 + i);
                b[base + 1025 + p] = (byte) (p % 256);
                b[base + 2049 + p] = (byte) (200 - labels[i]);
            }
        }
        return b;
    }

    @Test
    void decodesPlanarRecords() throws IOException {
        Path f = dir.resolve("data_batch_1.bin");
        Files.write(f, batch(3, 9, 0));
        List<SourceImage> out = Cifar10Loader.loadBatch(f);
        assertEquals(List.of(3, 9, 0), out.stream().map(SourceImage::label).toList());
        assertEquals("data_batch_1.bin[2]", out.get(2).id());
        int p = 5 * 32 + 7; // row 5, col 7
        assertEquals((11 << 16) | ((p % 256) << 8) | (200 - 9), out.get(1).image().getRGB(7, 5) & 0xFFFFFF);
    }

    @Test
    void sizeNotAMultipleOfTheRecord() throws IOException {
        Path f = dir.resolve("data_batch_1.bin");
        byte[] b = batch(1, 2);
        Files.write(f, Arrays.copyOf(b, b.length - 5));
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> Cifar10Loader.loadBatch(f));
        assertTrue(e.getMessage().contains("data_batch_1.bin") && e.getMessage().contains("not a positive multiple of the 3073"),
                e.getMessage());
    }

    @Test
    void labelOutOfRange() throws IOException {
        Path f = dir.resolve("test_batch.bin");
        Files.write(f, batch(1, 10));
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> Cifar10Loader.loadBatch(f));
        assertEquals(Cifar10Loader.RECORD_BYTES, e.offset());
        assertTrue(e.getMessage().contains("record 1 label") && e.getMessage().contains("label 10"), e.getMessage());
    }

    @Test
    void directoryNeedsAllSixFiles() throws IOException {
        for (String name : Cifar10Loader.BATCH_FILES.subList(0, 5)) {
            Files.write(dir.resolve(name), batch(1));
        }
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> Cifar10Loader.loadDirectory(dir));
        assertTrue(e.getMessage().contains("test_batch.bin") && e.getMessage().contains("does not exist"), e.getMessage());
        Files.write(dir.resolve("test_batch.bin"), batch(4, 5));
        assertEquals(7, Cifar10Loader.loadDirectory(dir).size());
    }
}
