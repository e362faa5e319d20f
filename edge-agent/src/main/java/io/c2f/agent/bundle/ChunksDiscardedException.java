package io.c2f.agent.bundle;

import java.util.List;

/**
 * Stored chunks of a download, or reused files covering them, failed verification on disk; those
 * chunks are missing again and must be fetched.
 */
final class ChunksDiscardedException extends Exception {
    private final List<Integer> indices;

    public ChunksDiscardedException(String bundleId, List<Integer> indices) {
        super(indices.size() + " chunk(s) of " + bundleId + " failed verification on disk (stored or reused) and must be fetched: "
                + indices);
        this.indices = List.copyOf(indices);
    }

    /** The discarded chunks, now missing. */
    public List<Integer> indices() {
        return indices;
    }
}
