package io.c2f.models.tensor;

/** Spatial size of an image, in pixels. */
public record Resolution(int height, int width) {
    public Resolution {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("resolution must be positive, got " + height + "x" + width);
        }
    }

    public static Resolution square(int side) {
        return new Resolution(side, side);
    }

    public int pixels() {
        return height * width;
    }

    @Override
    public String toString() {
        return height + "x" + width;
    }
}
