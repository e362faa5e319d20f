package io.c2f.models.reference;

/** A float32 NHWC tensor for the reference forward pass. The array is owned by the record. */
public record Nhwc(float[] data, int n, int h, int w, int c) {
    public Nhwc {
        if ((long) n * h * w * c != data.length) {
            throw new IllegalArgumentException("NHWC " + n + "x" + h + "x" + w + "x" + c + " needs " + ((long) n * h * w * c)
                    + " floats, got " + data.length);
        }
    }

    public static Nhwc zeros(int n, int h, int w, int c) {
        return new Nhwc(new float[n * h * w * c], n, h, w, c);
    }

    public int index(int b, int y, int x, int ch) {
        return ((b * h + y) * w + x) * c + ch;
    }
}
