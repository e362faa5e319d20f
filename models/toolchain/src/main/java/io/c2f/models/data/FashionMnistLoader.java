package io.c2f.models.data;

import java.awt.image.BufferedImage;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Fashion-MNIST (and MNIST) in the idx format: an idx3 image file (magic 0x00000803, big-endian count,
 * rows, cols, then unsigned bytes) and an idx1 label file (magic 0x00000801, count, labels 0-9), each
 * raw or gzip-compressed (detected from the gzip magic, not the file name). Grayscale is replicated
 * into R, G and B; Fashion-MNIST draws light objects on a black background and that is kept.
 */
final class FashionMnistLoader {
    /** Where Debian's dataset-fashion-mnist installs the files. */
    public static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    static final int IDX3_MAGIC = 0x00000803;
    static final int IDX1_MAGIC = 0x00000801;

    private FashionMnistLoader() {}

    /** Images and labels from one idx3/idx1 pair; ids are {@code prefix[i]}. */
    public static List<SourceImage> load(Path images, Path labels, String prefix) throws IOException {
        byte[] img = readMaybeGzip(images);
        byte[] lab = readMaybeGzip(labels);
        checkHeader(images, img, IDX3_MAGIC, 16, "idx3 header");
        checkHeader(labels, lab, IDX1_MAGIC, 8, "idx1 header");
        int count = u32(img, 4);
        int rows = u32(img, 8);
        int cols = u32(img, 12);
        int labelCount = u32(lab, 4);
        if (count < 0 || rows <= 0 || cols <= 0) {
            throw new DatasetFormatException(images, "idx3 header", 4,
                    "bad dimensions count=" + count + " rows=" + rows + " cols=" + cols);
        }
        if (count != labelCount) {
            throw new DatasetFormatException(labels, "idx1 header", 4, "label count " + labelCount
                    + " does not match the image count " + count + " of " + images);
        }
        long pixelBytes = (long) count * rows * cols;
        if (img.length - 16L != pixelBytes) {
            throw new DatasetFormatException(images, "idx3 data", 16, "header says " + count + " images of "
                    + rows + "x" + cols + " = " + pixelBytes + " bytes, but " + (img.length - 16L)
                    + " bytes follow the header" + (img.length - 16L < pixelBytes ? " (truncated)" : ""));
        }
        if (lab.length - 8L != count) {
            throw new DatasetFormatException(labels, "idx1 data", 8, "header says " + count + " labels but "
                    + (lab.length - 8L) + " bytes follow the header" + (lab.length - 8L < count ? " (truncated)" : ""));
        }
        List<SourceImage> out = new ArrayList<>(count);
        int[] rgb = new int[rows * cols];
        for (int i = 0; i < count; i++) {
            int label = lab[8 + i] & 0xFF;
            if (label > 9) {
                throw new DatasetFormatException(labels, "idx1 data", 8L + i, "label " + label + " of image " + i
                        + " is not a class 0-9");
            }
            int base = 16 + i * rows * cols;
            for (int p = 0; p < rgb.length; p++) {
                int v = img[base + p] & 0xFF;
                rgb[p] = (v << 16) | (v << 8) | v;
            }
            BufferedImage image = new BufferedImage(cols, rows, BufferedImage.TYPE_INT_RGB);
            image.setRGB(0, 0, cols, rows, rgb, 0, cols);
            out.add(new SourceImage(prefix + "[" + i + "]", label, image));
        }
        return out;
    }

    /**
     * Both splits of a directory laid out like the original distribution:
     * {@code train-images-idx3-ubyte[.gz]}, {@code train-labels-idx1-ubyte[.gz]} and the same for {@code t10k}.
     * A split whose files are absent is skipped; at least one must be present.
     */
    public static List<SourceImage> loadDirectory(Path dir) throws IOException {
        List<SourceImage> out = new ArrayList<>();
        for (String split : List.of("train", "t10k")) {
            Path images = find(dir, split + "-images-idx3-ubyte");
            Path labels = find(dir, split + "-labels-idx1-ubyte");
            if (images == null && labels == null) {
                continue;
            }
            if (images == null || labels == null) {
                throw new DatasetFormatException(dir.resolve(split + (images == null ? "-images-idx3-ubyte" : "-labels-idx1-ubyte")),
                        "file does not exist (its partner " + (images == null ? labels : images) + " does)");
            }
            out.addAll(load(images, labels, split));
        }
        if (out.isEmpty()) {
            throw new DatasetFormatException(dir.resolve("train-images-idx3-ubyte.gz"),
                    "no Fashion-MNIST idx files (train-* or t10k-*, raw or .gz) in this directory");
        }
        return out;
    }

    private static Path find(Path dir, String stem) {
        for (Path p : List.of(dir.resolve(stem + ".gz"), dir.resolve(stem))) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    static byte[] readMaybeGzip(Path file) throws IOException {
        byte[] raw;
        try {
            raw = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new DatasetFormatException(file, "file does not exist");
        }
        if (raw.length >= 2 && (raw[0] & 0xFF) == 0x1F && (raw[1] & 0xFF) == 0x8B) {
            try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(raw))) {
                return in.readAllBytes();
            } catch (EOFException | ZipException e) {
                throw new DatasetFormatException(file, "gzip stream", 0, "corrupt or truncated gzip data ("
                        + e.getMessage() + ")");
            }
        }
        return raw;
    }

    private static void checkHeader(Path file, byte[] b, int magic, int headerBytes, String section)
            throws DatasetFormatException {
        if (b.length < headerBytes) {
            throw new DatasetFormatException(file, section, 0, "file has " + b.length + " bytes, the header needs "
                    + headerBytes + " (truncated)");
        }
        int found = u32(b, 0);
        if (found != magic) {
            throw new DatasetFormatException(file, section, 0,
                    String.format("wrong magic 0x%08X, expected 0x%08X", found, magic));
        }
    }

    private static int u32(byte[] b, int p) {
        return ((b[p] & 0xFF) << 24) | ((b[p + 1] & 0xFF) << 16) | ((b[p + 2] & 0xFF) << 8) | (b[p + 3] & 0xFF);
    }
}
