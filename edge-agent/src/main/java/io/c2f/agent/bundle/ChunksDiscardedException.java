package io.c2f.agent.bundle;

import java.util.List;

/** Stored chunks of a download failed verification on disk and were deleted; they must be fetched again. */
final class ChunksDiscardedException extends Exception {
    private final List<Integer> indices;

    public ChunksDiscardedException(String bundleId, List<Integer> indices) {
        super(indices.size() + " stored chunk(s) of " + bundleId + " failed verification and were discarded: "
                + indices);
        this.indices = List.copyOf(indices);
    }

    /** The discarded chunks, now missing. */
    public List<Integer> indices() {
        return indices;
    }
}
