package io.c2f.models.tensor;

/**
 * Spatial size of an image, in pixels: the one resolution type past the wire. Its text form is
 * "HxW" (e.g. "32x32"), as {@link #toString()} writes and {@link #parse} reads it.
 */
public record Resolution(int height, int width) {
    public Resolution {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("resolution must be positive, got " + height + "x" + width);
        }
    }

    public static Resolution square(int side) {
        return new Resolution(side, side);
    }

    /**
     * Reads "HxW" (surrounding blanks ignored).
     *
     * @throws IllegalArgumentException naming the text when it is not two positive integers joined by 'x'
     */
    public static Resolution parse(String text) {
        String[] p = text == null ? new String[0] : text.strip().split("x", -1);
        if (p.length == 2) {
            try {
                int h = Integer.parseInt(p[0]);
                int w = Integer.parseInt(p[1]);
                if (h > 0 && w > 0) {
                    return new Resolution(h, w);
                }
            } catch (NumberFormatException e) {
                // the message below says what was expected
            }
        }
        throw new IllegalArgumentException("resolution must look like 32x32 (height x width, positive), got '"
                + text + "'");
    }

    /** From the wire message (see {@link #fromProto(io.c2f.proto.v1.Resolution, String)}). */
    public static Resolution fromProto(io.c2f.proto.v1.Resolution r) {
        return fromProto(r, "resolution");
    }

    /**
     * From the wire message.
     *
     * @param what names the value in the error, e.g. "low_resolution"
     * @throws IllegalArgumentException when a side is zero or (read unsigned) out of int range
     */
    public static Resolution fromProto(io.c2f.proto.v1.Resolution r, String what) {
        if (r.getHeight() <= 0 || r.getWidth() <= 0) {
            throw new IllegalArgumentException(what + " must be positive, got "
                    + Integer.toUnsignedString(r.getHeight()) + "x" + Integer.toUnsignedString(r.getWidth()));
        }
        return new Resolution(r.getHeight(), r.getWidth());
    }

    public io.c2f.proto.v1.Resolution toProto() {
        return io.c2f.proto.v1.Resolution.newBuilder().setHeight(height).setWidth(width).build();
    }

    public int pixels() {
        return height * width;
    }

    /** "HxW", the form {@link #parse} reads. */
    @Override
    public String toString() {
        return height + "x" + width;
    }
}
