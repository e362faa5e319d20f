package io.c2f.models.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreparedTensorFileTest {
    @TempDir
    Path dir;

    private static PreparedImage image(int seed) {
        byte[] rgb = new byte[32 * 32 * 3];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) (i * seed);
        }
        return new PreparedImage("i" + seed, -1, rgb, DatasetPreparer.sha256(rgb));
    }

    @Test
    void uint8RoundTripAndDocumentedHeader() throws IOException {
        Path f = dir.resolve("t.c2fd");
        List<PreparedImage> images = List.of(image(1), image(3));
        PreparedTensorFile.writeUint8(f, images);
        byte[] bytes = Files.readAllBytes(f);
        assertEquals("C2FD", new String(bytes, 0, 4, java.nio.charset.StandardCharsets.US_ASCII));
        ByteBuffer h = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(List.of(1, 1, 2, 32, 32, 3), List.of(h.getInt(4), h.getInt(8), h.getInt(12), h.getInt(16), h.getInt(20), h.getInt(24)));
        assertEquals(28 + 2 * 3072, bytes.length);
        ImageBatch back = PreparedTensorFile.read(f);
        assertArrayEquals(PreparedDataset.toBatch(images).data(), back.data());
    }

    @Test
    void float32RoundTrip() throws IOException {
        float[] data = new float[2 * 16 * 16 * 3];
        for (int i = 0; i < data.length; i++) {
            data[i] = (i % 17) / 8f - 1f;
        }
        Path f = dir.resolve("t16.c2fd");
        PreparedTensorFile.writeFloat32(f, new ImageBatch(data.clone(), 2, new Resolution(16, 16), 3));
        ImageBatch back = PreparedTensorFile.read(f);
        assertEquals(new Resolution(16, 16), back.resolution());
        assertArrayEquals(data, back.data());
    }

    @Test
    void badFiles() throws IOException {
        Path f = dir.resolve("t.c2fd");
        PreparedTensorFile.writeUint8(f, List.of(image(1)));
        byte[] good = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(good, good.length - 1));
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> PreparedTensorFile.read(f));
        assertTrue(e.getMessage().contains("needs 3072 bytes, file has 3071"), e.getMessage());
        byte[] wrong = good.clone();
        wrong[0] = 'X';
        Files.write(f, wrong);
        e = assertThrows(DatasetFormatException.class, () -> PreparedTensorFile.read(f));
        assertTrue(e.getMessage().contains("wrong magic"), e.getMessage());
    }
}
