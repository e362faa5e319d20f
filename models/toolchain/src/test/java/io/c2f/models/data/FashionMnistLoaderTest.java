package io.c2f.models.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistLoaderTest {
    @TempDir
    Path dir;

    static byte[] idx3(int magic, int count, int rows, int cols) {
        ByteBuffer b = ByteBuffer.allocate(16 + count * rows * cols);
        b.putInt(magic).putInt(count).putInt(rows).putInt(cols);
        for (int i = 0; i < count * rows * cols; i++) {
            b.put((byte) (i * 7 + 3));
        }
        return b.array();
    }

    static byte[] idx1(int magic, int... labels) {
        ByteBuffer b = ByteBuffer.allocate(8 + labels.length).putInt(magic).putInt(labels.length);
        for (int l : labels) {
            b.put((byte) l);
        }
        return b.array();
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(out)) {
            g.write(raw);
        }
        return out.toByteArray();
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    @Test
    void readsGzipAndRawAndReplicatesGrayToRgb() throws IOException {
        byte[] images = idx3(0x803, 3, 2, 4);
        Path img = write("train-images-idx3-ubyte.gz", gzip(images));
        Path lab = write("train-labels-idx1-ubyte", idx1(0x801, 9, 0, 4));
        List<SourceImage> out = FashionMnistLoader.load(img, lab, "train");
        assertEquals(3, out.size());
        assertEquals(List.of(9, 0, 4), out.stream().map(SourceImage::label).toList());
        assertEquals("train[1]", out.get(1).id());
        assertEquals(4, out.get(0).image().getWidth());
        assertEquals(2, out.get(0).image().getHeight());
        int v = images[16 + 8 + 1 * 4 + 3] & 0xFF; // image 1, row 1, col 3
        assertEquals((v << 16) | (v << 8) | v, out.get(1).image().getRGB(3, 1) & 0xFFFFFF);
    }

    @Test
    void directoryLoadsBothSplits() throws IOException {
        write("train-images-idx3-ubyte.gz", gzip(idx3(0x803, 2, 2, 2)));
        write("train-labels-idx1-ubyte.gz", gzip(idx1(0x801, 1, 2)));
        write("t10k-images-idx3-ubyte", idx3(0x803, 1, 2, 2));
        write("t10k-labels-idx1-ubyte", idx1(0x801, 3));
        List<SourceImage> out = FashionMnistLoader.loadDirectory(dir);
        assertEquals(List.of("train[0]", "train[1]", "t10k[0]"), out.stream().map(SourceImage::id).toList());
    }

    @Test
    void wrongMagic() throws IOException {
        Path img = write("i", idx3(0x801, 1, 2, 2));
        Path lab = write("l", idx1(0x801, 1));
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> FashionMnistLoader.load(img, lab, "x"));
        assertEquals("idx3 header", e.section());
        assertTrue(e.getMessage().contains("wrong magic 0x00000801, expected 0x00000803"), e.getMessage());
    }

    @Test
    void truncatedImages() throws IOException {
        byte[] full = idx3(0x803, 2, 2, 2);
        Path img = write("i", Arrays.copyOf(full, full.length - 1));
        Path lab = write("l", idx1(0x801, 1, 2));
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> FashionMnistLoader.load(img, lab, "x"));
        assertEquals("idx3 data", e.section());
        assertTrue(e.getMessage().contains("8 bytes, but 7 bytes follow") && e.getMessage().contains("truncated"),
                e.getMessage());
    }

    @Test
    void truncatedGzip() throws IOException {
        byte[] gz = gzip(idx3(0x803, 5, 4, 4));
        Path img = write("i.gz", Arrays.copyOf(gz, gz.length / 2));
        Path lab = write("l", idx1(0x801, 1, 2, 3, 4, 5));
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> FashionMnistLoader.load(img, lab, "x"));
        assertEquals("gzip stream", e.section());
        assertTrue(e.getMessage().contains("i.gz"), e.getMessage());
    }

    @Test
    void countMismatch() throws IOException {
        Path img = write("i", idx3(0x803, 2, 2, 2));
        Path lab = write("l", idx1(0x801, 1, 2, 3));
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> FashionMnistLoader.load(img, lab, "x"));
        assertTrue(e.getMessage().contains("label count 3 does not match the image count 2"), e.getMessage());
    }

    @Test
    void missingPartnerFile() throws IOException {
        write("train-images-idx3-ubyte", idx3(0x803, 1, 2, 2));
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> FashionMnistLoader.loadDirectory(dir));
        assertTrue(e.getMessage().contains("train-labels-idx1-ubyte") && e.getMessage().contains("does not exist"),
                e.getMessage());
    }

    @Test
    void realFashionMnist() throws IOException {
        Assumptions.assumeTrue(Files.exists(FashionMnistLoader.DEBIAN_DIR.resolve("train-images-idx3-ubyte.gz")),
                "dataset-fashion-mnist not installed");
        List<SourceImage> all = FashionMnistLoader.loadDirectory(FashionMnistLoader.DEBIAN_DIR);
        int[] perClass = new int[10];
        all.forEach(s -> perClass[s.label()]++);
        System.out.println("Fashion-MNIST: " + all.size() + " images, per class " + Arrays.toString(perClass));
        assertEquals(70_000, all.size());
        assertTrue(Arrays.stream(perClass).allMatch(c -> c == 7_000), Arrays.toString(perClass));
        assertEquals(28, all.get(0).image().getWidth());
    }
}
