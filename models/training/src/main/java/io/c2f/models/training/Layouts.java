package io.c2f.models.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** NHWC float arrays (the project's image layout) to and from NCHW DJL arrays (the PyTorch layout). */
final class Layouts {
    private Layouts() {
    }

    public static NDArray nchw(NDManager m, float[] nhwc, int n, int h, int w, int c) {
        float[] out = new float[nhwc.length];
        for (int b = 0; b < n; b++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int src = ((b * h + y) * w + x) * c;
                    for (int ch = 0; ch < c; ch++) {
                        out[((b * c + ch) * h + y) * w + x] = nhwc[src + ch];
                    }
                }
            }
        }
        return m.create(out, new Shape(n, c, h, w));
    }

    public static float[] nhwc(NDArray nchw) {
        Shape s = nchw.getShape();
        int n = (int) s.get(0);
        int c = (int) s.get(1);
        int h = (int) s.get(2);
        int w = (int) s.get(3);
        float[] in = nchw.toFloatArray();
        float[] out = new float[in.length];
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        out[((b * h + y) * w + x) * c + ch] = in[((b * c + ch) * h + y) * w + x];
                    }
                }
            }
        }
        return out;
    }
}
