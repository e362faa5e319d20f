package io.c2f.models.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CIFAR-10 in its binary distribution ({@code cifar-10-batches-bin}): each file is a sequence of
 * 3073-byte records, one label byte (0-9) then 1024 R, 1024 G and 1024 B bytes of a 32x32 image in
 * row-major order.
 */
final class Cifar10Loader {
    public static final int RECORD_BYTES = 1 + 3 * 32 * 32;
    public static final List<String> BATCH_FILES = List.of("data_batch_1.bin", "data_batch_2.bin",
            "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin");

    private Cifar10Loader() {}

    /** All records of one batch file; ids are {@code fileName[i]}. */
    public static List<SourceImage> loadBatch(Path file) throws IOException {
        byte[] b;
        try {
            b = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new DatasetFormatException(file, "CIFAR-10 batch file does not exist");
        }
        if (b.length == 0 || b.length % RECORD_BYTES != 0) {
            throw new DatasetFormatException(file, "file size " + b.length + " is not a positive multiple of the "
                    + RECORD_BYTES + "-byte record (1 label + 3072 pixel bytes); "
                    + (b.length % RECORD_BYTES) + " bytes left over");
        }
        int count = b.length / RECORD_BYTES;
        String name = file.getFileName().toString();
        List<SourceImage> out = new ArrayList<>(count);
        int[] rgb = new int[1024];
        for (int i = 0; i < count; i++) {
            int base = i * RECORD_BYTES;
            int label = b[base] & 0xFF;
            if (label > 9) {
                throw new DatasetFormatException(file, "record " + i + " label", base,
                        "label " + label + " is not a CIFAR-10 class 0-9");
            }
            for (int p = 0; p < 1024; p++) {
                rgb[p] = ((b[base + 1 + p] & 0xFF) << 16) | ((b[base + 1025 + p] & 0xFF) << 8) | (b[base + 2049 + p] & 0xFF);
            }
            BufferedImage image = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
            image.setRGB(0, 0, 32, 32, rgb, 0, 32);
            out.add(new SourceImage(name + "[" + i + "]", label, image));
        }
        return out;
    }

    /** The five training batches and the test batch; every one of the six files must be present. */
    public static List<SourceImage> loadDirectory(Path dir) throws IOException {
        for (String f : BATCH_FILES) {
            if (!Files.isRegularFile(dir.resolve(f))) {
                throw new DatasetFormatException(dir.resolve(f), "CIFAR-10 batch file does not exist (a complete "
                        + "cifar-10-batches-bin directory has " + BATCH_FILES + ")");
            }
        }
        List<SourceImage> out = new ArrayList<>();
        for (String f : BATCH_FILES) {
            out.addAll(loadBatch(dir.resolve(f)));
        }
        return out;
    }
}
