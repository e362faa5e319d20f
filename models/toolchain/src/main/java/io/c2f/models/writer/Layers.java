package io.c2f.models.writer;

import java.util.Arrays;
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
    /** The axes of H and W in NHWC: GroupNorm's MEANs reduce them (read, never written, by Subgraph.mean). */
    private static final int[] HW = {1, 2};
    private final Subgraph s;
    private final Function<String, float[]> weights;
    private final GraphForm form;

    /**
     * Layers in the {@link GraphForm#COMPACT} form, which suits any graph (the default form, TILED, needs
     * the width of every image when the graph is written: fixed-resolution graphs only).
     */
    public Layers(Subgraph s, Function<String, float[]> weights) {
        this(s, weights, GraphForm.COMPACT);
    }

    /** @param weights float data by parameter name (e.g. "conv_in.weight"); throws if missing */
    public Layers(Subgraph s, Function<String, float[]> weights, GraphForm form) {
        this.s = s;
        this.weights = weights;
        this.form = form;
    }

    public GraphForm form() {
        return form;
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

    /** A copy of {@code values}, each multiplied by {@code factor} (float arithmetic, as every backend folds it). */
    public static float[] times(float[] values, float factor) {
        float[] out = values.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] *= factor;
        }
        return out;
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

    /** Linear(in, out) on the last dim of x [..., in], keeping x's leading dims: [B,1,1,in] -> [B,1,1,out]. */
    public int linearKeepDims(int x, String prefix, int in, int out) {
        int weightsTensor = s.weight(prefix + ".weight", w(prefix + ".weight"), new int[] {out, in});
        int bias = s.weight(prefix + ".bias", w(prefix + ".bias"), new int[] {out});
        return s.fullyConnected(x, weightsTensor, bias, true);
    }

    public int silu(int x) {
        return s.silu(x);
    }

    /**
     * GroupNorm(groups, C, eps) with affine "{prefix}.weight"/"{prefix}.bias", shape-free: per-channel
     * MEAN over H,W, then a 1x1 conv with a group-averaging matrix gives each channel its group's
     * mean; the same for the variance of the centred input (two-pass, as PyTorch).
     *
     * <p>{@link GraphForm#COMPACT} (10 ops, all taken by XNNPACK 2.6.2): eps is the variance conv's
     * bias, scale = gamma / SQRT(var + eps) in one DIV, out = centred * scale + beta.
     * {@link GraphForm#LEGACY} (11 ops): ADD eps, RSQRT (not an XNNPACK 2.6.2 op), MUL gamma.
     */
    public int groupNorm(int x, String prefix, int channels, int groups, float eps) {
        return form == GraphForm.TILED ? groupNormTiled(x, prefix, channels, groups, eps)
                : groupNorm(x, prefix, channels, groups, eps, true);
    }

    /**
     * {@link GraphForm#TILED}'s GroupNorm: three passes over the image besides the two MEANs (x * x, then
     * x * scale + shift) where COMPACT makes four. Statistics in one pass: per channel E[x] and E[x^2],
     * averaged over each group by the 1x1 convs of the other forms (eps as the second one's bias), var +
     * eps = E_g[x^2] + eps - E_g[x]^2, kept at least eps (float rounding); scale = gamma / sqrt(var + eps),
     * shift = beta - E_g[x] scale, both repeated across the width first ({@link #acrossWidth}).
     */
    private int groupNormTiled(int x, String prefix, int channels, int groups, float eps) {
        checkTiled(prefix, channels, groups);
        int avg = groupAverager(channels, groups);
        int mean = groupMean(x, avg, channels);
        int epsTensor = epsPerChannel(channels, eps);
        int squaresPlusEps = s.conv2d(s.mean(s.mul(x, x), HW, true), avg, epsTensor, 1, Subgraph.Pad.VALID);
        int varPlusEps = s.maximum(s.sub(squaresPlusEps, s.mul(mean, mean)), epsTensor);
        int gamma = s.weight(prefix + ".weight", w(prefix + ".weight"), new int[] {channels});
        int scale = s.div(gamma, s.sqrt(varPlusEps));
        int beta = s.weight(prefix + ".bias", w(prefix + ".bias"), new int[] {channels});
        int shift = s.sub(beta, s.mul(mean, scale));
        return s.add(s.mul(x, acrossWidth(scale, x)), acrossWidth(shift, x));
    }

    /**
     * {@link GraphForm#TILED}'s GroupNorm without the shift, for the attention, whose q/k/v biases take
     * beta: (x - mean) * gamma / sqrt(var + eps), two-pass as in COMPACT, the per-channel operands
     * repeated across the width first.
     */
    private int groupNormTiledUnshifted(int x, String prefix, int channels, int groups, float eps) {
        checkTiled(prefix, channels, groups);
        int avg = groupAverager(channels, groups);
        int mean = groupMean(x, avg, channels);
        int centred = s.sub(x, acrossWidth(mean, x));
        int squares = s.mean(s.mul(centred, centred), HW, true);
        int varPlusEps = s.conv2d(squares, avg, epsPerChannel(channels, eps), 1, Subgraph.Pad.VALID);
        int gamma = s.weight(prefix + ".weight", w(prefix + ".weight"), new int[] {channels});
        return s.mul(centred, acrossWidth(s.div(gamma, s.sqrt(varPlusEps)), x));
    }

    private void checkTiled(String prefix, int channels, int groups) {
        if (form != GraphForm.TILED) {
            throw new IllegalStateException("group norm " + prefix + ": the tiled form's GroupNorm, this writer's form is "
                    + form);
        }
        checkGroups(prefix, channels, groups);
    }

    private static void checkGroups(String prefix, int channels, int groups) {
        if (channels % groups != 0) {
            throw new IllegalArgumentException("group norm " + prefix + ": " + channels + " channels not divisible by "
                    + groups + " groups");
        }
    }

    /** Per channel, the mean over H and W averaged over the channel's group: [B,1,1,C] (MEAN, then a 1x1 conv). */
    private int groupMean(int x, int avg, int channels) {
        return s.conv2d(s.mean(x, HW, true), avg,
                s.constant("zeros_" + channels, new float[channels], new int[] {channels}), 1, Subgraph.Pad.VALID);
    }

    /** eps for each of {@code channels}: the bias of the conv that averages squares over a group. */
    private int epsPerChannel(int channels, float eps) {
        float[] values = new float[channels];
        Arrays.fill(values, eps);
        return s.constant("eps_" + eps + "_" + channels, values, new int[] {channels});
    }

    /**
     * {@code v} [B,1,1,C] repeated across the width of {@code image} [B,H,W,C]: [B,1,W,C] (v + zeros,
     * exact). An image op with it runs H rows of W*C values in XNNPACK 2.6.2, not H*W rows of C.
     */
    public int acrossWidth(int v, int image) {
        int width = s.shape(image)[2];
        return s.add(v, s.constant("zeros_w" + width, new float[width], new int[] {1, 1, width, 1}));
    }

    /**
     * With {@code addShift} false: (x - mean) * gamma / sqrt(var + eps), for a caller that folds beta
     * into what follows. (Tensors are created in the order the LEGACY writer always used, so that its
     * files come out byte for byte as before.)
     */
    private int groupNorm(int x, String prefix, int channels, int groups, float eps, boolean addShift) {
        checkGroups(prefix, channels, groups);
        int avg = groupAverager(channels, groups);
        int zeros = s.constant("zeros_" + channels, new float[channels], new int[] {channels});
        int mean = s.conv2d(s.mean(x, HW, true), avg, zeros, 1, Subgraph.Pad.VALID);
        int centred = s.sub(x, mean);
        int squares = s.mean(s.mul(centred, centred), HW, true);
        if (form == GraphForm.LEGACY) {
            if (!addShift) {
                throw new IllegalStateException("the legacy form always adds the GroupNorm shift");
            }
            int var = s.conv2d(squares, avg, zeros, 1, Subgraph.Pad.VALID);
            int epsTensor = s.constant("eps_" + eps, new float[] {eps}, new int[] {1});
            int inv = s.rsqrt(s.add(var, epsTensor));
            int gamma = s.weight(prefix + ".weight", w(prefix + ".weight"), new int[] {channels});
            int beta = s.weight(prefix + ".bias", w(prefix + ".bias"), new int[] {channels});
            int scale = s.mul(inv, gamma); // [B,1,1,C]: folding gamma here saves a full-size multiply
            return s.add(s.mul(centred, scale), beta);
        }
        int varPlusEps = s.conv2d(squares, avg, epsPerChannel(channels, eps), 1, Subgraph.Pad.VALID);
        int gamma = s.weight(prefix + ".weight", w(prefix + ".weight"), new int[] {channels});
        int normalised = s.mul(centred, s.div(gamma, s.sqrt(varPlusEps)));
        return addShift ? s.add(normalised, s.weight(prefix + ".bias", w(prefix + ".bias"), new int[] {channels}))
                : normalised;
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
        int tokens = xs[1] * xs[2];
        if (form != GraphForm.LEGACY && !resizableResolution) {
            // the whole block on [B, 1, HW, C]: 1x1 convs, GroupNorm's MEAN over axes 1,2 and BATCH_MATMUL
            // (batch dims B, 1) all work on it, so one RESHAPE in and one out instead of four
            int flat = s.reshape(x, -1, 1, tokens, channels);
            int[] qkv = projections(flat, prefix, channels, groups, eps, form);
            int attended = s.batchMatMul(s.softmax(s.batchMatMul(qkv[0], qkv[1], false, true)), qkv[2], false, false);
            return s.reshape(s.add(pointwise(attended, prefix + ".to_out.0", channels), flat), -1, xs[1], xs[2], channels);
        }
        // a resizable block's width is unknown when it is written, so TILED falls back to COMPACT's GroupNorm
        int[] qkv = projections(x, prefix, channels, groups, eps, form == GraphForm.TILED ? GraphForm.COMPACT : form);
        int[] nominal = {xs[0], tokens, channels};
        int q3;
        int k3;
        int v3;
        if (resizableResolution) {
            int shape = s.concatInt32(s.gather(s.shapeOf(x), s.constantInt32(0)), s.constantInt32(-1, channels));
            q3 = s.reshapeDynamic(qkv[0], shape, nominal);
            k3 = s.reshapeDynamic(qkv[1], shape, nominal);
            v3 = s.reshapeDynamic(qkv[2], shape, nominal);
        } else {
            q3 = s.reshape(qkv[0], -1, tokens, channels);
            k3 = s.reshape(qkv[1], -1, tokens, channels);
            v3 = s.reshape(qkv[2], -1, tokens, channels);
        }
        int probs = s.softmax(s.batchMatMul(q3, k3, false, true));
        int attended = s.batchMatMul(probs, v3, false, false);
        int back = resizableResolution
                ? s.reshapeDynamic(attended, s.shapeOf(x), xs)
                : s.reshape(attended, -1, xs[1], xs[2], channels);
        return s.add(pointwise(back, prefix + ".to_out.0", channels), x);
    }

    /** The attention's GroupNorm, then q (1/sqrt(C) folded in), k and v as 1x1 convs of the same shape as x. */
    private int[] projections(int x, String prefix, int channels, int groups, float eps, GraphForm normForm) {
        String norm = prefix + ".group_norm";
        // COMPACT, TILED: q/k/v are linear in the normalised input, so beta goes into their biases (W beta + b)
        int h = normForm == GraphForm.TILED ? groupNormTiledUnshifted(x, norm, channels, groups, eps)
                : groupNorm(x, norm, channels, groups, eps, form == GraphForm.LEGACY);
        float[] shift = form == GraphForm.LEGACY ? null : s.storedValues(w(norm + ".bias"));
        float scale = (float) (1.0 / Math.sqrt(channels));
        float[] wq = times(w(prefix + ".to_q.weight"), scale);
        float[] bq = times(w(prefix + ".to_q.bias"), scale);
        int q = projection(h, prefix + ".to_q.weight*scale", wq, prefix + ".to_q.bias*scale", bq, channels, shift);
        int k = projection(h, prefix + ".to_k.weight", w(prefix + ".to_k.weight"), prefix + ".to_k.bias",
                w(prefix + ".to_k.bias"), channels, shift);
        int v = projection(h, prefix + ".to_v.weight", w(prefix + ".to_v.weight"), prefix + ".to_v.bias",
                w(prefix + ".to_v.bias"), channels, shift);
        return new int[] {q, k, v};
    }

    /**
     * A 1x1 conv [C, C] of x; with {@code shift} (beta of the GroupNorm before it, not yet added to x)
     * the bias becomes b + W shift, computed from the weights as stored, in double, kept as float32.
     */
    private int projection(int x, String weightKey, float[] weight, String biasKey, float[] bias, int channels,
                           float[] shift) {
        int filter = s.weight(weightKey, weight, new int[] {channels, 1, 1, channels});
        if (shift == null) {
            return s.conv2d(x, filter, s.weight(biasKey, bias, new int[] {channels}), 1, Subgraph.Pad.VALID);
        }
        float[] ws = s.storedValues(weight);
        float[] bs = s.storedValues(bias);
        float[] folded = new float[channels];
        for (int o = 0; o < channels; o++) {
            double acc = bs[o];
            for (int i = 0; i < channels; i++) {
                acc += (double) ws[o * channels + i] * shift[i];
            }
            folded[o] = (float) acc;
        }
        return s.conv2d(x, filter, s.constant(biasKey + "+W*shift", folded, new int[] {channels}), 1,
                Subgraph.Pad.VALID);
    }

    private int pointwise(int x, String prefix, int channels) {
        int filter = s.weight(prefix + ".weight", w(prefix + ".weight"), new int[] {channels, 1, 1, channels});
        int bias = s.weight(prefix + ".bias", w(prefix + ".bias"), new int[] {channels});
        return s.conv2d(x, filter, bias, 1, Subgraph.Pad.VALID);
    }
}
