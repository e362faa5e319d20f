package io.c2f.models.data;

/**
 * One image after preprocessing: 32x32 RGB, 8 bits per channel, row-major HWC.
 *
 * @param id     the source image's id
 * @param label  the source label or {@link SourceImage#NO_LABEL}
 * @param rgb8   32*32*3 bytes, unsigned
 * @param sha256 sha256 of {@code rgb8}: the identity used for deduplication and the split
 */
public record PreparedImage(String id, int label, byte[] rgb8, byte[] sha256) {
    public PreparedImage {
        if (rgb8.length != DatasetPreparer.SIZE * DatasetPreparer.SIZE * 3) {
            throw new IllegalArgumentException(id + ": rgb8 has " + rgb8.length + " bytes, expected "
                    + DatasetPreparer.SIZE * DatasetPreparer.SIZE * 3);
        }
        if (sha256.length != 32) {
            throw new IllegalArgumentException(id + ": sha256 has " + sha256.length + " bytes");
        }
    }
}
