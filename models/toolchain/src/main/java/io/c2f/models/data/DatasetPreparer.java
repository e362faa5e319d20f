package io.c2f.models.data;

import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;
import java.awt.image.BufferedImage;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * Turns source images of any size into the 32x32 RGB training set.
 *
 * <ul>
 *   <li>Alpha is composited over a fixed <b>white</b> background ({@link #BACKGROUND_RGB}) in sRGB
 *       (straight alpha, as a browser would show the PNG), before resizing, which is equivalent to
 *       resizing premultiplied colour and compositing afterwards.</li>
 *   <li>The image is scaled by min(32/w, 32/h) with exact area averaging (each output pixel is the
 *       coverage-weighted mean of the source pixels under it; for upscaling this blends at most two
 *       neighbours per axis), so the aspect ratio is kept, and it is centred on a white canvas.</li>
 *   <li>Pixels are rounded to 8 bits; identical 8-bit images are duplicates (sha256 of the 3072 bytes),
 *       the first in source order is kept.</li>
 *   <li>The split depends only on content: held out when the first 8 bytes of the sha256, read as an
 *       unsigned big-endian integer, are 0 mod 10 (about 10%).</li>
 * </ul>
 */
public final class DatasetPreparer {
    public static final int SIZE = 32;
    public static final int BACKGROUND_RGB = 0xFFFFFF;
    public static final String BACKGROUND_HEX = "#FFFFFF";
    public static final int HELD_OUT_MODULUS = 10;

    private DatasetPreparer() {}

    /** 8-bit value to the training range: v / 127.5 - 1, so 0 -> -1 and 255 -> 1. */
    public static float toUnit(int v) {
        return v / 127.5f - 1f;
    }

    /** One image to 32x32 RGB bytes (HWC), per the class comment. */
    public static byte[] toRgb8(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
        boolean alpha = image.getColorModel().hasAlpha();
        float[][] planes = new float[3][w * h];
        float[] bg = {(BACKGROUND_RGB >> 16) & 0xFF, (BACKGROUND_RGB >> 8) & 0xFF, BACKGROUND_RGB & 0xFF};
        for (int i = 0; i < argb.length; i++) {
            int px = argb[i];
            float a = alpha ? ((px >>> 24) & 0xFF) / 255f : 1f;
            for (int c = 0; c < 3; c++) {
                float v = (px >> (16 - 8 * c)) & 0xFF;
                planes[c][i] = a * v + (1f - a) * bg[c];
            }
        }
        double scale = Math.min((double) SIZE / w, (double) SIZE / h);
        int tw = Math.max(1, Math.min(SIZE, (int) Math.round(w * scale)));
        int th = Math.max(1, Math.min(SIZE, (int) Math.round(h * scale)));
        int ox = (SIZE - tw) / 2;
        int oy = (SIZE - th) / 2;
        byte[] out = new byte[SIZE * SIZE * 3];
        for (int i = 0; i < SIZE * SIZE; i++) {
            for (int c = 0; c < 3; c++) {
                out[3 * i + c] = (byte) bg[c];
            }
        }
        for (int c = 0; c < 3; c++) {
            float[] resized = areaResize(planes[c], w, h, tw, th);
            for (int y = 0; y < th; y++) {
                for (int x = 0; x < tw; x++) {
                    int v = Math.round(resized[y * tw + x]);
                    out[3 * ((oy + y) * SIZE + ox + x) + c] = (byte) Math.max(0, Math.min(255, v));
                }
            }
        }
        return out;
    }

    /** Exact area-average resize of one plane, separable: rows first, then columns. */
    static float[] areaResize(float[] src, int w, int h, int tw, int th) {
        float[] horizontal = new float[tw * h];
        Weights wx = Weights.of(w, tw);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < tw; x++) {
                horizontal[y * tw + x] = wx.apply(x, src, y * w, 1);
            }
        }
        float[] out = new float[tw * th];
        Weights wy = Weights.of(h, th);
        for (int y = 0; y < th; y++) {
            for (int x = 0; x < tw; x++) {
                out[y * tw + x] = wy.apply(y, horizontal, x, tw);
            }
        }
        return out;
    }

    /** Per output index, the source indices it covers and the normalized coverage of each. */
    private record Weights(int[][] index, float[][] weight) {
        static Weights of(int n, int tn) {
            double step = (double) n / tn;
            int[][] index = new int[tn][];
            float[][] weight = new float[tn][];
            for (int t = 0; t < tn; t++) {
                double lo = t * step;
                double hi = (t + 1) * step;
                int first = (int) Math.floor(lo);
                int last = Math.min(n - 1, (int) Math.ceil(hi) - 1);
                index[t] = new int[last - first + 1];
                weight[t] = new float[last - first + 1];
                for (int s = first; s <= last; s++) {
                    double cover = Math.min(hi, s + 1) - Math.max(lo, s);
                    index[t][s - first] = s;
                    weight[t][s - first] = (float) (cover / step);
                }
            }
            return new Weights(index, weight);
        }

        float apply(int t, float[] src, int base, int stride) {
            float sum = 0;
            for (int k = 0; k < index[t].length; k++) {
                sum += weight[t][k] * src[base + index[t][k] * stride];
            }
            return sum;
        }
    }

    public static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JRE", e);
        }
    }

    public static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    /** The content-based split: true for about one image in {@link #HELD_OUT_MODULUS}. */
    public static boolean isHeldOut(byte[] sha256) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (sha256[i] & 0xFF);
        }
        return Long.remainderUnsigned(v, HELD_OUT_MODULUS) == 0;
    }

    public static PreparedImage prepare(SourceImage source) {
        byte[] rgb = toRgb8(source.image());
        return new PreparedImage(source.id(), source.label(), rgb, sha256(rgb));
    }

    /** Preprocess, deduplicate and split; order within each part follows {@code sources}. */
    public static PreparedDataset prepare(List<SourceImage> sources) {
        List<PreparedImage> train = new ArrayList<>();
        List<PreparedImage> heldOut = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        int duplicates = 0;
        for (SourceImage s : sources) {
            PreparedImage p = prepare(s);
            if (!seen.add(hex(p.sha256()))) {
                duplicates++;
                continue;
            }
            (isHeldOut(p.sha256()) ? heldOut : train).add(p);
        }
        return new PreparedDataset(train, heldOut, duplicates);
    }

    /** 2x2 average pooling of an NHWC batch with even height and width (e.g. 32x32 -> 16x16). */
    public static ImageBatch avgPool2x2(ImageBatch batch) {
        int h = batch.height();
        int w = batch.width();
        int c = batch.channels();
        if (h % 2 != 0 || w % 2 != 0) {
            throw new IllegalArgumentException("2x2 pooling needs even height and width, got " + h + "x" + w);
        }
        int oh = h / 2;
        int ow = w / 2;
        float[] in = batch.data();
        float[] out = new float[batch.batch() * oh * ow * c];
        for (int n = 0; n < batch.batch(); n++) {
            for (int y = 0; y < oh; y++) {
                for (int x = 0; x < ow; x++) {
                    for (int k = 0; k < c; k++) {
                        int a = ((n * h + 2 * y) * w + 2 * x) * c + k;
                        float sum = in[a] + in[a + c] + in[a + w * c] + in[a + w * c + c];
                        out[((n * oh + y) * ow + x) * c + k] = sum * 0.25f;
                    }
                }
            }
        }
        return new ImageBatch(out, batch.batch(), new Resolution(oh, ow), c);
    }
}
