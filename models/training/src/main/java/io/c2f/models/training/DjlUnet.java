package io.c2f.models.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.c2f.models.reference.RefOps;
import io.c2f.models.unet.UnetConfig;
import io.c2f.models.unet.UnetWeights;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The UNet of {@link UnetConfig} on DJL PyTorch, NCHW, with parameters named exactly as
 * {@link UnetConfig#parameterShapes()} so that {@link #toUnetWeights()} feeds the exporter and the
 * reference forward unchanged. Mirrors {@code ReferenceUnet}: same skip order, same embeddings.
 *
 * <p>One deliberate difference inside: conv_out is held with {@value #CONV_OUT_PADDED} output
 * channels and sliced to the real ones, because oneDNN's backward of a 3x3 conv whose output channels
 * are not a multiple of 16 can return NaN input gradients on this CPU. The padding rows
 * are zero, receive no gradient, and are dropped by {@link #toUnetWeights()}.
 */
final class DjlUnet implements AutoCloseable {
    static final int CONV_OUT_PADDED = 16;

    private final UnetConfig cfg;
    private final ParameterStore params;
    private final NDArray embed1W;
    private final NDArray embed1B;
    private final NDArray embed2W;
    private final NDArray embed2B;
    private final NDArray labelTable;
    private final NDArray convInW;
    private final NDArray convInB;
    private final List<List<ResnetBlock>> downResnets = new ArrayList<>();
    private final List<List<AttentionBlock>> downAttentions = new ArrayList<>();
    private final List<NDArray[]> downsamplers = new ArrayList<>();
    private final ResnetBlock mid0;
    private final AttentionBlock midAttention;
    private final ResnetBlock mid1;
    private final List<List<ResnetBlock>> upResnets = new ArrayList<>();
    private final List<List<AttentionBlock>> upAttentions = new ArrayList<>();
    private final List<NDArray[]> upsamplers = new ArrayList<>();
    private final GroupNorm normOut;
    private final NDArray convOutW;
    private final NDArray convOutB;

    private DjlUnet(UnetConfig cfg, ParameterStore p) {
        this.cfg = cfg;
        this.params = p;
        int g = cfg.groups();
        float eps = cfg.normEps();
        embed1W = p.get("time_embedding.linear_1.weight");
        embed1B = p.get("time_embedding.linear_1.bias");
        embed2W = p.get("time_embedding.linear_2.weight");
        embed2B = p.get("time_embedding.linear_2.bias");
        labelTable = p.get("class_embedding.weight");
        convInW = p.get("conv_in.weight");
        convInB = p.get("conv_in.bias");
        int prev = cfg.blockChannels(0);
        for (int i = 0; i < cfg.levels(); i++) {
            int out = cfg.blockChannels(i);
            List<ResnetBlock> rs = new ArrayList<>();
            List<AttentionBlock> as = new ArrayList<>();
            for (int j = 0; j < cfg.resBlocksPerLevel(); j++) {
                String prefix = "down_blocks." + i + ".resnets." + j;
                rs.add(new ResnetBlock(p, prefix, g, eps, (j == 0 ? prev : out) != out));
                if (cfg.downAttention(i)) {
                    as.add(new AttentionBlock(p, "down_blocks." + i + ".attentions." + j, g, eps));
                }
            }
            downResnets.add(rs);
            downAttentions.add(as);
            String d = "down_blocks." + i + ".downsamplers.0.conv";
            downsamplers.add(i < cfg.levels() - 1 ? new NDArray[] {p.get(d + ".weight"), p.get(d + ".bias")} : null);
            prev = out;
        }
        mid0 = new ResnetBlock(p, "mid_block.resnets.0", g, eps, false);
        midAttention = new AttentionBlock(p, "mid_block.attentions.0", g, eps);
        mid1 = new ResnetBlock(p, "mid_block.resnets.1", g, eps, false);
        int out = cfg.blockChannels(cfg.levels() - 1);
        for (int i = 0; i < cfg.levels(); i++) {
            int prevOut = out;
            out = cfg.blockChannels(cfg.levels() - 1 - i);
            int in = cfg.blockChannels(Math.max(cfg.levels() - 2 - i, 0));
            List<ResnetBlock> rs = new ArrayList<>();
            List<AttentionBlock> as = new ArrayList<>();
            for (int j = 0; j <= cfg.resBlocksPerLevel(); j++) {
                int skip = j == cfg.resBlocksPerLevel() ? in : out;
                int resIn = j == 0 ? prevOut : out;
                rs.add(new ResnetBlock(p, "up_blocks." + i + ".resnets." + j, g, eps, resIn + skip != out));
                if (cfg.upAttention(i)) {
                    as.add(new AttentionBlock(p, "up_blocks." + i + ".attentions." + j, g, eps));
                }
            }
            upResnets.add(rs);
            upAttentions.add(as);
            String u = "up_blocks." + i + ".upsamplers.0.conv";
            upsamplers.add(i < cfg.levels() - 1 ? new NDArray[] {p.get(u + ".weight"), p.get(u + ".bias")} : null);
        }
        normOut = new GroupNorm(p, "conv_norm_out", g, eps);
        convOutW = p.get("conv_out.weight");
        convOutB = p.get("conv_out.bias");
    }

    /** A model holding a copy of the given weights, its arrays owned by a new sub-manager of {@code parent}. */
    public static DjlUnet fromUnetWeights(NDManager parent, UnetWeights weights) {
        UnetConfig cfg = weights.config();
        ParameterStore p = new ParameterStore(parent.newSubManager());
        for (Map.Entry<String, int[]> e : cfg.parameterShapes().entrySet()) {
            String name = e.getKey();
            int[] shape = e.getValue().clone();
            float[] data = weights.get(name);
            if (name.startsWith("conv_out.")) {
                shape[0] = CONV_OUT_PADDED;
                data = java.util.Arrays.copyOf(data, numel(shape));
            }
            p.create(name, data, shape);
        }
        return new DjlUnet(cfg, p);
    }

    /** Overwrites every parameter with the given weights (same config). */
    public void loadWeights(UnetWeights weights) {
        if (!weights.config().equals(cfg)) {
            throw new IllegalArgumentException("weights are for " + weights.config() + ", model is " + cfg);
        }
        try (NDManager tmp = params.manager().newSubManager()) {
            for (Map.Entry<String, NDArray> e : params.all().entrySet()) {
                NDArray target = e.getValue();
                float[] data = java.util.Arrays.copyOf(weights.get(e.getKey()), (int) target.size());
                tmp.create(data, target.getShape()).copyTo(target);
            }
        }
    }

    /** The real (unpadded) parameters as plain arrays, in {@link UnetConfig#parameterShapes()} order. */
    public UnetWeights toUnetWeights() {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> e : cfg.parameterShapes().entrySet()) {
            float[] data = params.get(e.getKey()).toFloatArray();
            out.put(e.getKey(), java.util.Arrays.copyOf(data, numel(e.getValue())));
        }
        return UnetWeights.of(cfg, out);
    }

    public UnetConfig config() {
        return cfg;
    }

    /** Trainable arrays by name (conv_out padded to {@value #CONV_OUT_PADDED} output channels). */
    public Map<String, NDArray> parameters() {
        return params.all();
    }

    NDManager parameterManager() {
        return params.manager();
    }

    /**
     * @param x images NCHW [N, C, H, W] (H, W divisible by {@link UnetConfig#sizeDivisor()})
     * @param timesteps one per image
     * @param label resolution label for the whole batch
     * @return predicted noise, NCHW, on x's manager
     */
    public NDArray forward(NDArray x, float[] timesteps, int label) {
        NDManager m = x.getManager();
        long n = x.getShape().get(0);
        if (timesteps.length != n) {
            throw new IllegalArgumentException(timesteps.length + " time steps for a batch of " + n);
        }
        if (label < 0 || label >= cfg.numResolutionLabels()) {
            throw new IllegalArgumentException("resolution label " + label + " outside 0.." + (cfg.numResolutionLabels() - 1));
        }
        int c0 = cfg.blockChannels(0);
        NDArray emb = m.create(RefOps.timestepEmbedding(timesteps, c0, false, 1f), new Shape(n, c0));
        emb = Nn.linear(Nn.silu(Nn.linear(emb, embed1W, embed1B)), embed2W, embed2B);
        emb = emb.add(ParameterStore.onStep(labelTable.get(label), m));
        NDArray embSilu = Nn.silu(emb);

        NDArray h = Nn.conv(x, convInW, convInB);
        Deque<NDArray> skips = new ArrayDeque<>();
        skips.push(h);
        for (int i = 0; i < cfg.levels(); i++) {
            for (int j = 0; j < cfg.resBlocksPerLevel(); j++) {
                h = downResnets.get(i).get(j).forward(h, embSilu);
                if (cfg.downAttention(i)) {
                    h = downAttentions.get(i).get(j).forward(h);
                }
                skips.push(h);
            }
            NDArray[] down = downsamplers.get(i);
            if (down != null) {
                // diffusers Downsample2D(padding=0): pad right and bottom by one, 3x3 stride 2
                h = Nn.conv(h.pad(new Shape(0, 1, 0, 1), 0), down[0], down[1], 2);
                skips.push(h);
            }
        }
        h = mid1.forward(midAttention.forward(mid0.forward(h, embSilu)), embSilu);
        for (int i = 0; i < cfg.levels(); i++) {
            for (int j = 0; j <= cfg.resBlocksPerLevel(); j++) {
                h = upResnets.get(i).get(j).forward(NDArrays.concat(new NDList(h, skips.pop()), 1), embSilu);
                if (cfg.upAttention(i)) {
                    h = upAttentions.get(i).get(j).forward(h);
                }
            }
            NDArray[] up = upsamplers.get(i);
            if (up != null) {
                h = Nn.conv(h.repeat(2, 2).repeat(3, 2), up[0], up[1]);
            }
        }
        NDArray out = Nn.conv(Nn.silu(normOut.forward(h)), convOutW, convOutB);
        return out.get(":, 0:" + cfg.inChannels());
    }

    @Override
    public void close() {
        params.manager().close();
    }

    static int numel(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }
}
