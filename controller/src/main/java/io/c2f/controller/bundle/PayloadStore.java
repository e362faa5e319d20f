package io.c2f.controller.bundle;

import io.c2f.proto.bundle.Sha256;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Bundle payloads, content-addressed: {@code {dir}/{sha256}}. Writing the same payload twice
 * stores it once. Reads keep a bounded in-memory cache, since a rollout serves the same payload
 * to many devices. Blocking: call from workers. Thread-safe.
 */
public final class PayloadStore {
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private final Path dir;
    private final long cacheBytes;
    private final Map<String, byte[]> cache = new LinkedHashMap<>(16, 0.75f, true);
    private long cached;

    public PayloadStore(Path dir, long cacheBytes) {
        this.dir = dir;
        this.cacheBytes = cacheBytes;
    }

    /** Stores the payload (atomically) unless present; returns its sha256. */
    public String put(byte[] payload) {
        String sha = Sha256.hex(payload);
        Path file = dir.resolve(sha);
        try {
            if (Files.exists(file) && Files.size(file) == payload.length) {
                return sha;
            }
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, sha, ".tmp");
            Files.write(tmp, payload);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store bundle payload " + sha + " under " + dir + ": "
                    + e.getMessage(), e);
        }
        return sha;
    }

    /** The payload with this sha256, checked against it on first read. */
    public synchronized byte[] get(String sha256) {
        if (!SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException("'" + sha256 + "' is not a sha256 hex digest");
        }
        byte[] hit = cache.get(sha256);
        if (hit != null) {
            return hit;
        }
        Path file = dir.resolve(sha256);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("bundle payload " + file + " cannot be read: " + e.getMessage(), e);
        }
        String actual = Sha256.hex(bytes);
        if (!actual.equals(sha256)) {
            throw new IllegalStateException("bundle payload " + file + " is corrupt: its sha256 is " + actual);
        }
        cache.put(sha256, bytes);
        cached += bytes.length;
        var it = cache.entrySet().iterator();
        while (cached > cacheBytes && cache.size() > 1 && it.hasNext()) {
            var eldest = it.next();
            if (eldest.getKey().equals(sha256)) {
                continue;
            }
            cached -= eldest.getValue().length;
            it.remove();
        }
        return bytes;
    }

    public Path dir() {
        return dir;
    }
}
