package io.c2f.agent.bundle;

import io.c2f.proto.bundle.Sha256;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bundle files this device already holds (in its active or previous slot), found by sha256: what a
 * delta download need not fetch. Nothing here is trusted: a slot's manifest only says where to
 * look, and a file counts as held only when its bytes hash to the sha256 asked for, checked again
 * each time they are read.
 */
final class HeldFiles {
    private static final Logger LOG = LoggerFactory.getLogger(HeldFiles.class);
    /** An agent that reuses nothing (c2f.bundle.delta=false): every chunk is fetched. */
    static final HeldFiles NONE = new HeldFiles(Map.of());

    private final Map<String, List<Path>> candidates;

    private HeldFiles(Map<String, List<Path>> candidates) {
        this.candidates = candidates;
    }

    /** The files of the store's slots, as candidates. */
    static HeldFiles in(BundleStore store) throws IOException {
        return new HeldFiles(store.slotFilesBySha256());
    }

    /** A held file with this sha256 and size whose bytes hash to it now (the first such), if any. */
    Optional<Path> verified(String sha256, long size) {
        for (Path p : candidates.getOrDefault(sha256, List.of())) {
            try {
                if (Files.size(p) != size || !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                String actual = Sha256.hex(p);
                if (actual.equals(sha256)) {
                    return Optional.of(p);
                }
                LOG.warn("held file {} has sha256 {}, its slot's manifest says {}: not reused, fetched instead", p,
                        actual, sha256);
            } catch (IOException e) {
                LOG.warn("held file {} cannot be read ({}): not reused, fetched instead", p, e.getMessage());
            }
        }
        return Optional.empty();
    }

    /**
     * Reads a held file into {@code payload} at {@code offset} and checks the bytes read there
     * against {@code sha256}; returns what is wrong, or null.
     */
    static String readInto(Path file, String sha256, byte[] payload, int offset, int length) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            if (ch.size() != length) {
                return "held file " + file + " has " + ch.size() + " bytes now, " + length + " expected";
            }
            ByteBuffer into = ByteBuffer.wrap(payload, offset, length);
            while (into.hasRemaining()) {
                if (ch.read(into) < 0) {
                    return "held file " + file + " ended after " + (into.position() - offset) + " of " + length
                            + " bytes";
                }
            }
        } catch (IOException e) {
            return "held file " + file + " cannot be read: " + e.getMessage();
        }
        String actual = Sha256.hex(payload, offset, length);
        return actual.equals(sha256) ? null
                : "held file " + file + " has sha256 " + actual + " now, the manifest says " + sha256;
    }
}
