package io.c2f.controller.job;

/**
 * The bundle chunks a controller published to one job's device, as the broker acknowledged them.
 *
 * @param chunks chunks sent (a chunk asked for twice counts twice)
 * @param bytes their payload bytes
 * @param payloadSize the whole payload of the job's bundle, for comparison (0 where unknown)
 */
public record Delivered(long chunks, long bytes, long payloadSize) {
    public static final Delivered NONE = new Delivered(0, 0, 0);

    /** This and more chunks of the same bundle. */
    public Delivered plus(long moreChunks, long moreBytes) {
        return new Delivered(chunks + moreChunks, bytes + moreBytes, payloadSize);
    }
}
