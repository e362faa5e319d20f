package io.c2f.models.reference;

import io.c2f.models.unet.UnetConfig;
import io.c2f.models.unet.UnetWeights;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Plain-Java forward pass of the UNet (no TFLite), written from the diffusers UNet2DModel code path
 * and sharing nothing with the graph writer but the weights: the yardstick for exported models.
 */
public final class ReferenceUnet {
    private final UnetConfig cfg;
    private final UnetWeights w;

    public ReferenceUnet(UnetWeights weights) {
        this.cfg = weights.config();
        this.w = weights;
    }

    /**
     * @param x NHWC images
     * @param t time step per image
     * @param label resolution label for all images
     * @return predicted noise, NHWC
     */
    public Nhwc forward(Nhwc x, float[] t, int label) {
        if (t.length != x.n()) {
            throw new IllegalArgumentException(t.length + " time steps for a batch of " + x.n());
        }
        int c0 = cfg.blockChannels(0);
        int d = cfg.timeEmbedDim();
        float[] emb = RefOps.timestepEmbedding(t, c0, false, 1f);
        emb = RefOps.linear(emb, x.n(), w.get("time_embedding.linear_1.weight"), w.get("time_embedding.linear_1.bias"), c0, d);
        emb = RefOps.linear(RefOps.silu(emb), x.n(), w.get("time_embedding.linear_2.weight"),
                w.get("time_embedding.linear_2.bias"), d, d);
        float[] table = w.get("class_embedding.weight");
        for (int b = 0; b < x.n(); b++) {
            for (int i = 0; i < d; i++) {
                emb[b * d + i] += table[label * d + i];
            }
        }
        Nhwc h = conv(x, "conv_in", 3);
        Deque<Nhwc> skips = new ArrayDeque<>();
        skips.push(h);
        for (int i = 0; i < cfg.levels(); i++) {
            for (int j = 0; j < cfg.resBlocksPerLevel(); j++) {
                h = resnet(h, emb, "down_blocks." + i + ".resnets." + j);
                if (cfg.downAttention(i)) {
                    h = attention(h, "down_blocks." + i + ".attentions." + j);
                }
                skips.push(h);
            }
            if (i < cfg.levels() - 1) {
                String p = "down_blocks." + i + ".downsamplers.0.conv";
                h = RefOps.conv2d(h, w.get(p + ".weight"), w.get(p + ".bias"), w.shape(p + ".weight")[0], 3, 2, 0, 0, 1, 1);
                skips.push(h);
            }
        }
        h = resnet(h, emb, "mid_block.resnets.0");
        h = attention(h, "mid_block.attentions.0");
        h = resnet(h, emb, "mid_block.resnets.1");
        for (int i = 0; i < cfg.levels(); i++) {
            for (int j = 0; j <= cfg.resBlocksPerLevel(); j++) {
                h = resnet(RefOps.concatChannels(h, skips.pop()), emb, "up_blocks." + i + ".resnets." + j);
                if (cfg.upAttention(i)) {
                    h = attention(h, "up_blocks." + i + ".attentions." + j);
                }
            }
            if (i < cfg.levels() - 1) {
                h = conv(RefOps.upsampleNearest2x(h), "up_blocks." + i + ".upsamplers.0.conv", 3);
            }
        }
        h = RefOps.silu(RefOps.groupNorm(h, cfg.groups(), w.get("conv_norm_out.weight"), w.get("conv_norm_out.bias"),
                cfg.normEps()));
        return conv(h, "conv_out", 3);
    }

    private Nhwc conv(Nhwc x, String p, int k) {
        return RefOps.conv2dSame(x, w.get(p + ".weight"), w.get(p + ".bias"), w.shape(p + ".weight")[0], k);
    }

    private Nhwc resnet(Nhwc x, float[] emb, String p) {
        Nhwc h = RefOps.silu(RefOps.groupNorm(x, cfg.groups(), w.get(p + ".norm1.weight"), w.get(p + ".norm1.bias"),
                cfg.normEps()));
        h = conv(h, p + ".conv1", 3);
        int out = h.c();
        float[] proj = RefOps.linear(RefOps.silu(emb), x.n(), w.get(p + ".time_emb_proj.weight"),
                w.get(p + ".time_emb_proj.bias"), cfg.timeEmbedDim(), out);
        h = RefOps.addPerChannel(h, proj);
        h = RefOps.silu(RefOps.groupNorm(h, cfg.groups(), w.get(p + ".norm2.weight"), w.get(p + ".norm2.bias"),
                cfg.normEps()));
        h = conv(h, p + ".conv2", 3);
        Nhwc shortcut = x.c() != out ? conv(x, p + ".conv_shortcut", 1) : x;
        return RefOps.add(shortcut, h);
    }

    private Nhwc attention(Nhwc x, String p) {
        return RefOps.attention(x, cfg.groups(), cfg.normEps(), w.get(p + ".group_norm.weight"),
                w.get(p + ".group_norm.bias"), w.get(p + ".to_q.weight"), w.get(p + ".to_q.bias"),
                w.get(p + ".to_k.weight"), w.get(p + ".to_k.bias"), w.get(p + ".to_v.weight"), w.get(p + ".to_v.bias"),
                w.get(p + ".to_out.0.weight"), w.get(p + ".to_out.0.bias"));
    }
}
