package io.c2f.models.writer;

import java.util.function.Function;

/**
 * Neural-network building blocks emitted as TFLite ops into a {@link Subgraph}, with weights taken
 * by name in PyTorch layouts (conv OIHW, linear [out, in]) and converted here.
 *
 * <p>Every block works on NHWC tensors and is shape-free unless it says otherwise: batch and
 * resolution can change with {@code resizeInput}. Reshapes use -1 for the batch; where a reshape
 * must merge two variable dims (attention in a fully shape-free graph), the target shape is computed
 * in the graph from SHAPE.
 */
public final class Layers {
    private final Subgraph s;
    private final Function<String, float[]> weights;

    /** @param weights float data by parameter name (e.g. "conv_in.weight"); throws if missing */
    public Layers(Subgraph s, Function<String, float[]> weights) {
        this.s = s;
        this.weights = weights;
    }

    public Subgraph graph() {
        return s;
    }

    private float[] w(String name) {
        float[] data = weights.apply(name);
        if (data == null) {
            throw new IllegalArgumentException("missing weight " + name);
        }
        return data;
    }

    /** PyTorch OIHW to TFLite OHWI. */
    public static float[] oihwToOhwi(float[] w, int o, int i, int kh, int kw) {
        float[] out = new float[w.length];
        for (int a = 0; a < o; a++) {
            for (int b = 0; b < i; b++) {
                for (int y = 0; y < kh; y++) {
                    for (int x = 0; x < kw; x++) {
                        out[((a * kh + y) * kw + x) * i + b] = w[((a * i + b) * kh + y) * kw + x];
                    }
                }
            }
        }
        return out;
    }

    /** Conv2d(cin, cout, k, stride 1, padding k/2) from "{prefix}.weight" / "{prefix}.bias". */
    public int conv(int x, String prefix, int cin, int cout, int k) {
        int filter = s.weight(prefix + ".weight", oihwToOhwi(w(prefix + ".weight"), cout, cin, k, k),
                new int[] {cout, k, k, cin});
        int bias = s.weight(prefix + ".bias", w(prefix + ".bias"), new int[] {cout});
        return s.conv2d(x, filter, bias, 1, k == 1 ? Subgraph.Pad.VALID : Subgraph.Pad.SAME);
    }

    /**
     * Conv2d(cin, cout, 3, stride 2) after zero padding (0, 1, 0, 1): the diffusers Downsample2D with
     * padding 0. Explicit PAD keeps odd sizes exact, where SAME would pad differently.
     */
    public int convStride2(int x, String prefix, int cin, int cout) {
        int padded = s.pad(x, new int[][] {{0, 0}, {0, 1}, {0, 1}, {0, 0}});
        int filter = s.weight(prefix + ".weight", oihwToOhwi(w(prefix + ".weight"), cout, cin, 3, 3),
                new int[] {cout, 3, 3, cin});
        int bias = s.weight(prefix + ".bias", w(prefix + ".bias"), new int[] {cout});
        return s.conv2d(padded, filter, bias, 2, Subgraph.Pad.VALID);
    }

    /** Linear(in, out) on [N, in]. */
    public int linear(int x, String prefix, int in, int out) {
        int weightsTensor = s.weight(prefix + ".weight", w(prefix + ".weight"), new int[] {out, in});
        int bias = s.weight(prefix + ".bias", w(prefix + ".bias"), new int[] {out});
        return s.fullyConnected(x, weightsTensor, bias);
    }

    public int silu(int x) {
        return s.silu(x);
    }

    /**
     * GroupNorm(groups, C, eps) with affine "{prefix}.weight"/"{prefix}.bias", shape-free: per-channel
     * MEAN over H,W, then a 1x1 conv with a group-averaging matrix gives each channel its group's
     * mean; the same for the variance of the centred input (two-pass, as PyTorch).
     */
    public int groupNorm(int x, String prefix, int channels, int groups, float eps) {
        if (channels % groups != 0) {
            throw new IllegalArgumentException("group norm " + prefix + ": " + channels + " channels not divisible by "
                    + groups + " groups");
        }
        int avg = groupAverager(channels, groups);
        int zeros = s.constant("zeros_" + channels, new float[channels], new int[] {channels});
        int[] hw = {1, 2};
        int mean = s.conv2d(s.mean(x, hw, true), avg, zeros, 1, Subgraph.Pad.VALID);
        int centred = s.sub(x, mean);
        int var = s.conv2d(s.mean(s.mul(centred, centred), hw, true), avg, zeros, 1, Subgraph.Pad.VALID);
        int epsTensor = s.constant("eps_" + eps, new float[] {eps}, new int[] {1});
        int inv = s.rsqrt(s.add(var, epsTensor));
        int gamma = s.weight(prefix + ".weight", w(prefix + ".weight"), new int[] {channels});
        int beta = s.weight(prefix + ".bias", w(prefix + ".bias"), new int[] {channels});
        int scale = s.mul(inv, gamma); // [B,1,1,C]: folding gamma here saves a full-size multiply
        return s.add(s.mul(centred, scale), beta);
    }

    private int groupAverager(int channels, int groups) {
        int size = channels / groups;
        float[] m = new float[channels * channels];
        for (int o = 0; o < channels; o++) {
            for (int i = 0; i < channels; i++) {
                if (o / size == i / size) {
                    m[o * channels + i] = 1f / size;
                }
            }
        }
        return s.constant("group_average_" + channels + "_" + groups, m, new int[] {channels, 1, 1, channels});
    }

    /**
     * Sinusoidal embedding of t [B] -> [B, dim], as diffusers get_timestep_embedding:
     * freq_i = exp(-ln(10000) * i / (dim/2 - shift)); [sin(t f), cos(t f)] (swapped if flipSinToCos).
     */
    public int timestepEmbedding(int t, int dim, boolean flipSinToCos, float shift) {
        int half = dim / 2;
        float[] freqs = new float[half];
        for (int i = 0; i < half; i++) {
            freqs[i] = (float) Math.exp(-Math.log(10000.0) * i / (half - shift));
        }
        int f = s.constant("timestep_freqs_" + dim + "_" + shift, freqs, new int[] {1, half});
        int arg = s.mul(s.reshape(t, -1, 1), f);
        int sin = s.sin(arg);
        int cos = s.cos(arg);
        return flipSinToCos ? s.concat(1, cos, sin) : s.concat(1, sin, cos);
    }

    /** Nearest-neighbour 2x upsampling, shape-free: CONCAT of four copies + DEPTH_TO_SPACE(2). */
    public int upsampleNearest2x(int x) {
        return s.depthToSpace(s.concat(3, x, x, x, x), 2);
    }

    /**
     * Single-head self-attention block as diffusers Attention (group norm, to_q/to_k/to_v, softmax
     * (q k^T / sqrt(C)), to_out.0, residual). The 1/sqrt(C) is folded into to_q.
     *
     * @param resizableResolution true: the reshape target is computed in the graph, so height and
     *     width may change with resizeInput (the ops after it then run on dynamic tensors, outside
     *     XNNPACK); false: only the batch may change.
     */
    public int attention(int x, String prefix, int channels, int groups, float eps, boolean resizableResolution) {
        int[] xs = s.shape(x);
        int h = groupNorm(x, prefix + ".group_norm", channels, groups, eps);
        float scale = (float) (1.0 / Math.sqrt(channels));
        float[] wq = w(prefix + ".to_q.weight").clone();
        float[] bq = w(prefix + ".to_q.bias").clone();
        for (int i = 0; i < wq.length; i++) {
            wq[i] *= scale;
        }
        for (int i = 0; i < bq.length; i++) {
            bq[i] *= scale;
        }
        int q = s.conv2d(h, s.weight(prefix + ".to_q.weight*scale", wq, new int[] {channels, 1, 1, channels}),
                s.weight(prefix + ".to_q.bias*scale", bq, new int[] {channels}), 1, Subgraph.Pad.VALID);
        int k = pointwise(h, prefix + ".to_k", channels);
        int v = pointwise(h, prefix + ".to_v", channels);
        int tokens = xs[1] * xs[2];
        int[] nominal = {xs[0], tokens, channels};
        int q3;
        int k3;
        int v3;
        if (resizableResolution) {
            int shape = s.concatInt32(s.gather(s.shapeOf(x), s.constantInt32(0)), s.constantInt32(-1, channels));
            q3 = s.reshapeDynamic(q, shape, nominal);
            k3 = s.reshapeDynamic(k, shape, nominal);
            v3 = s.reshapeDynamic(v, shape, nominal);
        } else {
            q3 = s.reshape(q, -1, tokens, channels);
            k3 = s.reshape(k, -1, tokens, channels);
            v3 = s.reshape(v, -1, tokens, channels);
        }
        int probs = s.softmax(s.batchMatMul(q3, k3, false, true));
        int attended = s.batchMatMul(probs, v3, false, false);
        int back = resizableResolution
                ? s.reshapeDynamic(attended, s.shapeOf(x), xs)
                : s.reshape(attended, -1, xs[1], xs[2], channels);
        return s.add(pointwise(back, prefix + ".to_out.0", channels), x);
    }

    private int pointwise(int x, String prefix, int channels) {
        int filter = s.weight(prefix + ".weight", w(prefix + ".weight"), new int[] {channels, 1, 1, channels});
        int bias = s.weight(prefix + ".bias", w(prefix + ".bias"), new int[] {channels});
        return s.conv2d(x, filter, bias, 1, Subgraph.Pad.VALID);
    }
}
