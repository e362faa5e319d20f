package io.c2f.models.training;

import io.c2f.models.data.PreparedTensorFile;
import io.c2f.models.tensor.ImageBatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A prepared dataset (PrepareData output) at full and half resolution, plus the sha256 of its
 * manifest so that a checkpoint records exactly which data it was trained on.
 */
record TrainingData(ImageBatch full, ImageBatch low, String manifestSha256, Path directory) {

    public TrainingData {
        if (full.batch() != low.batch()) {
            throw new IllegalArgumentException("full-resolution set has " + full.batch() + " images, low-resolution set "
                    + low.batch());
        }
        if (low.height() * 2 != full.height() || low.width() * 2 != full.width()) {
            throw new IllegalArgumentException("low resolution " + low.resolution() + " is not half of " + full.resolution());
        }
    }

    /** Loads {@code train-32x32.c2fd}, {@code train-16x16.c2fd} and {@code manifest.json} (part "train" or "heldout"). */
    public static TrainingData load(Path dir, String part, int size) throws IOException {
        Path full = dir.resolve(part + "-" + size + "x" + size + ".c2fd");
        Path low = dir.resolve(part + "-" + size / 2 + "x" + size / 2 + ".c2fd");
        Path manifest = dir.resolve("manifest.json");
        for (Path p : new Path[] {full, low, manifest}) {
            if (!Files.isRegularFile(p)) {
                throw new NoSuchFileException(p.toString(), null,
                        "prepared data file missing (run io.c2f.models.data.PrepareData --out " + dir + ")");
            }
        }
        return new TrainingData(PreparedTensorFile.read(full), PreparedTensorFile.read(low), sha256(manifest), dir);
    }

    public int size() {
        return full.batch();
    }

    static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
