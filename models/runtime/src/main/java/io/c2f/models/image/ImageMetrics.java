package io.c2f.models.image;

import io.c2f.models.tensor.ImageBatch;

/**
 * Fidelity of one image to a reference, measured on the 8-bit values a person sees (both images
 * are quantised as {@link PngImages#toByte} does), so a device's PNG and the controller's
 * reference compare exactly.
 */
public final class ImageMetrics {
    private ImageMetrics() {
    }

    /** Mean squared error over all pixels and channels, in 8-bit units. */
    public static double mse8(ImageBatch a, int ia, ImageBatch b, int ib) {
        if (!a.resolution().equals(b.resolution()) || a.channels() != b.channels()) {
            throw new IllegalArgumentException("cannot compare " + a.resolution() + "x" + a.channels() + " with "
                    + b.resolution() + "x" + b.channels());
        }
        int n = a.imageSize();
        float[] da = a.data();
        float[] db = b.data();
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double d = PngImages.toByte(da[ia * n + i]) - PngImages.toByte(db[ib * n + i]);
            sum += d * d;
        }
        return sum / n;
    }

    /** PSNR in dB for 8-bit images; identical images give +infinity. */
    public static double psnr8(double mse8) {
        return mse8 == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(255.0 * 255.0 / mse8);
    }

    /** Mean squared error of the float values (no quantisation), the TRD objective's unit. */
    public static double mse(ImageBatch a, ImageBatch b) {
        if (a.data().length != b.data().length) {
            throw new IllegalArgumentException("cannot compare " + a + " with " + b);
        }
        float[] da = a.data();
        float[] db = b.data();
        double sum = 0;
        for (int i = 0; i < da.length; i++) {
            double d = da[i] - db[i];
            sum += d * d;
        }
        return sum / da.length;
    }

    /** PSNR in dB of float images in [-1, 1] (peak-to-peak 2). */
    public static double psnr(double mse) {
        return mse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(4.0 / mse);
    }
}
