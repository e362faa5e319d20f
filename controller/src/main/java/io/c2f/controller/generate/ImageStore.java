package io.c2f.controller.generate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Generated PNGs on disk, content-addressed: {@code <dir>/<sha[0:2]>/<sha>.png}. The same image
 * stored twice is one file; a name is its own integrity check. Blocking: call on a worker.
 */
public final class ImageStore {
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private final Path dir;

    public ImageStore(Path dir) {
        this.dir = dir;
    }

    /** Where a controller keeps them: {@code <dataDir>/images}. */
    public static Path dirUnder(Path dataDir) {
        return dataDir.resolve("images");
    }

    /**
     * Stores the bytes if they are a PNG and returns their sha256 (hex).
     *
     * @throws IllegalArgumentException when the bytes are not a PNG
     */
    public String put(byte[] png) {
        if (png.length < PNG_SIGNATURE.length || !Arrays.equals(png, 0, PNG_SIGNATURE.length,
                PNG_SIGNATURE, 0, PNG_SIGNATURE.length)) {
            throw new IllegalArgumentException("image of " + png.length + " bytes is not a PNG (no PNG signature)");
        }
        String sha = sha256(png);
        Path target = path(sha);
        try {
            if (Files.exists(target)) {
                return sha;
            }
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(target.getParent(), sha, ".tmp");
            Files.write(tmp, png);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return sha;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store image " + sha + " under " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The file of an image, when the name is a sha256 and the file exists. */
    public Optional<Path> find(String sha) {
        if (sha == null || !SHA256.matcher(sha).matches()) {
            return Optional.empty();
        }
        Path p = path(sha);
        return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
    }

    private Path path(String sha) {
        return dir.resolve(sha.substring(0, 2)).resolve(sha + ".png");
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
