package io.c2f.models.reference;

/**
 * Plain-Java reference computations with PyTorch semantics and PyTorch weight layouts (conv OIHW,
 * linear [out, in]). Straight loops, accumulation in double: slow and obviously right, so the
 * TFLite graphs can be checked against it. Shares no code with the graph writer.
 */
public final class RefOps {
    private RefOps() {
    }

    /** Conv2d with zero padding (top, left, bottom, right) and a square kernel. */
    public static Nhwc conv2d(Nhwc x, float[] weightOihw, float[] bias, int cout, int k, int stride,
                              int padTop, int padLeft, int padBottom, int padRight) {
        int cin = x.c();
        if (weightOihw.length != cout * cin * k * k) {
            throw new IllegalArgumentException("conv weight has " + weightOihw.length + " values, expected "
                    + cout + "x" + cin + "x" + k + "x" + k);
        }
        int oh = (x.h() + padTop + padBottom - k) / stride + 1;
        int ow = (x.w() + padLeft + padRight - k) / stride + 1;
        Nhwc out = Nhwc.zeros(x.n(), oh, ow, cout);
        float[] in = x.data();
        for (int b = 0; b < x.n(); b++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    for (int o = 0; o < cout; o++) {
                        double acc = bias[o];
                        for (int ky = 0; ky < k; ky++) {
                            int iy = oy * stride + ky - padTop;
                            if (iy < 0 || iy >= x.h()) {
                                continue;
                            }
                            for (int kx = 0; kx < k; kx++) {
                                int ix = ox * stride + kx - padLeft;
                                if (ix < 0 || ix >= x.w()) {
                                    continue;
                                }
                                int base = x.index(b, iy, ix, 0);
                                int wBase = o * cin * k * k + ky * k + kx;
                                for (int i = 0; i < cin; i++) {
                                    acc += in[base + i] * (double) weightOihw[wBase + i * k * k];
                                }
                            }
                        }
                        out.data()[out.index(b, oy, ox, o)] = (float) acc;
                    }
                }
            }
        }
        return out;
    }

    /** Conv2d(k, stride 1, padding k/2). */
    public static Nhwc conv2dSame(Nhwc x, float[] weightOihw, float[] bias, int cout, int k) {
        int p = k / 2;
        return conv2d(x, weightOihw, bias, cout, k, 1, p, p, p, p);
    }

    /** x [n, in] -> [n, out]. */
    public static float[] linear(float[] x, int n, float[] weight, float[] bias, int in, int out) {
        float[] y = new float[n * out];
        for (int r = 0; r < n; r++) {
            for (int o = 0; o < out; o++) {
                double acc = bias[o];
                for (int i = 0; i < in; i++) {
                    acc += x[r * in + i] * (double) weight[o * in + i];
                }
                y[r * out + o] = (float) acc;
            }
        }
        return y;
    }

    public static float silu(float v) {
        return (float) (v / (1.0 + Math.exp(-v)));
    }

    public static float[] silu(float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = silu(x[i]);
        }
        return y;
    }

    public static Nhwc silu(Nhwc x) {
        return new Nhwc(silu(x.data()), x.n(), x.h(), x.w(), x.c());
    }

    /** torch.nn.GroupNorm: statistics per (image, group) over H, W and the group's channels. */
    public static Nhwc groupNorm(Nhwc x, int groups, float[] gamma, float[] beta, float eps) {
        int c = x.c();
        int size = c / groups;
        int pixels = x.h() * x.w();
        Nhwc out = Nhwc.zeros(x.n(), x.h(), x.w(), c);
        float[] in = x.data();
        for (int b = 0; b < x.n(); b++) {
            for (int g = 0; g < groups; g++) {
                double sum = 0;
                for (int p = 0; p < pixels; p++) {
                    for (int j = 0; j < size; j++) {
                        sum += in[(b * pixels + p) * c + g * size + j];
                    }
                }
                double mean = sum / ((double) pixels * size);
                double sq = 0;
                for (int p = 0; p < pixels; p++) {
                    for (int j = 0; j < size; j++) {
                        double d = in[(b * pixels + p) * c + g * size + j] - mean;
                        sq += d * d;
                    }
                }
                double inv = 1.0 / Math.sqrt(sq / ((double) pixels * size) + eps);
                for (int p = 0; p < pixels; p++) {
                    for (int j = 0; j < size; j++) {
                        int ch = g * size + j;
                        int i = (b * pixels + p) * c + ch;
                        out.data()[i] = (float) ((in[i] - mean) * inv * gamma[ch] + beta[ch]);
                    }
                }
            }
        }
        return out;
    }

    /** diffusers get_timestep_embedding for t [n] -> [n, dim]. */
    public static float[] timestepEmbedding(float[] t, int dim, boolean flipSinToCos, float shift) {
        int half = dim / 2;
        float[] out = new float[t.length * dim];
        for (int b = 0; b < t.length; b++) {
            for (int i = 0; i < half; i++) {
                double freq = Math.exp(-Math.log(10000.0) * i / (half - shift));
                // float32 product, as torch computes timesteps[:, None].float() * freqs[None] in fp32
                float arg = t[b] * (float) freq;
                float sin = (float) Math.sin(arg);
                float cos = (float) Math.cos(arg);
                out[b * dim + i] = flipSinToCos ? cos : sin;
                out[b * dim + half + i] = flipSinToCos ? sin : cos;
            }
        }
        return out;
    }

    /** F.interpolate(scale_factor=2, mode="nearest"). */
    public static Nhwc upsampleNearest2x(Nhwc x) {
        Nhwc out = Nhwc.zeros(x.n(), x.h() * 2, x.w() * 2, x.c());
        for (int b = 0; b < x.n(); b++) {
            for (int y = 0; y < out.h(); y++) {
                for (int xx = 0; xx < out.w(); xx++) {
                    System.arraycopy(x.data(), x.index(b, y / 2, xx / 2, 0), out.data(), out.index(b, y, xx, 0), x.c());
                }
            }
        }
        return out;
    }

    public static Nhwc add(Nhwc a, Nhwc b) {
        float[] y = a.data().clone();
        for (int i = 0; i < y.length; i++) {
            y[i] += b.data()[i];
        }
        return new Nhwc(y, a.n(), a.h(), a.w(), a.c());
    }

    /** Adds v[b, c] to every pixel of image b. */
    public static Nhwc addPerChannel(Nhwc a, float[] v) {
        float[] y = a.data().clone();
        int pixels = a.h() * a.w();
        for (int b = 0; b < a.n(); b++) {
            for (int p = 0; p < pixels; p++) {
                for (int ch = 0; ch < a.c(); ch++) {
                    y[(b * pixels + p) * a.c() + ch] += v[b * a.c() + ch];
                }
            }
        }
        return new Nhwc(y, a.n(), a.h(), a.w(), a.c());
    }

    /** torch.cat([a, b], dim=1) in NCHW terms: channels of a, then of b. */
    public static Nhwc concatChannels(Nhwc a, Nhwc b) {
        int c = a.c() + b.c();
        Nhwc out = Nhwc.zeros(a.n(), a.h(), a.w(), c);
        int pixels = a.n() * a.h() * a.w();
        for (int p = 0; p < pixels; p++) {
            System.arraycopy(a.data(), p * a.c(), out.data(), p * c, a.c());
            System.arraycopy(b.data(), p * b.c(), out.data(), p * c + a.c(), b.c());
        }
        return out;
    }

    /**
     * diffusers Attention with one head over all channels: group norm, q/k/v linear, softmax(q k^T
     * / sqrt(C)) v, to_out linear, residual.
     */
    public static Nhwc attention(Nhwc x, int groups, float eps, float[] normW, float[] normB, float[] wq, float[] bq,
                                 float[] wk, float[] bk, float[] wv, float[] bv, float[] wo, float[] bo) {
        int c = x.c();
        int tokens = x.h() * x.w();
        Nhwc h = groupNorm(x, groups, normW, normB, eps);
        float[] q = linear(h.data(), x.n() * tokens, wq, bq, c, c);
        float[] k = linear(h.data(), x.n() * tokens, wk, bk, c, c);
        float[] v = linear(h.data(), x.n() * tokens, wv, bv, c, c);
        float[] attended = new float[x.n() * tokens * c];
        double scale = 1.0 / Math.sqrt(c);
        double[] scores = new double[tokens];
        for (int b = 0; b < x.n(); b++) {
            int base = b * tokens * c;
            for (int i = 0; i < tokens; i++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < tokens; j++) {
                    double dot = 0;
                    for (int ch = 0; ch < c; ch++) {
                        dot += q[base + i * c + ch] * (double) k[base + j * c + ch];
                    }
                    scores[j] = dot * scale;
                    max = Math.max(max, scores[j]);
                }
                double sum = 0;
                for (int j = 0; j < tokens; j++) {
                    scores[j] = Math.exp(scores[j] - max);
                    sum += scores[j];
                }
                for (int ch = 0; ch < c; ch++) {
                    double acc = 0;
                    for (int j = 0; j < tokens; j++) {
                        acc += scores[j] * v[base + j * c + ch];
                    }
                    attended[base + i * c + ch] = (float) (acc / sum);
                }
            }
        }
        float[] projected = linear(attended, x.n() * tokens, wo, bo, c, c);
        return add(new Nhwc(projected, x.n(), x.h(), x.w(), c), x);
    }
}
